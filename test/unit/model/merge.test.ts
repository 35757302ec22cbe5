import { deepMerge, sourcePath } from '../../../generator/model/merge';

describe('deepMerge', () => {
  test.each([
    ['maps merge', { a: { x: 1, y: 2 } }, { a: { y: 3 } }, { a: { x: 1, y: 3 } }],
    ['lists replace', { a: [1, 2] }, { a: [3] }, { a: [3] }],
    ['scalars replace', { a: 1 }, { a: 'two' }, { a: 'two' }],
    ['new keys are added', { a: 1 }, { b: 2 }, { a: 1, b: 2 }],
    ['a map replaces a scalar', { a: 1 }, { a: { b: 2 } }, { a: { b: 2 } }],
    ['no override keeps the base', { a: 1 }, undefined, { a: 1 }],
  ])('%s', (_name, base, override, expected) => {
    expect(deepMerge(base, override)).toEqual(expected);
  });

  it('changes neither input', () => {
    const base = { a: { b: 1 } };
    const override = { a: { c: 2 } };
    deepMerge(base, override);
    expect(base).toEqual({ a: { b: 1 } });
    expect(override).toEqual({ a: { c: 2 } });
  });
});

describe('sourcePath', () => {
  const document = {
    tiers: { web: { capacity: { min: 2 } } },
    network: { endpoints: ['s3'] },
    environments: {
      prod: { overrides: { tiers: { web: { capacity: { max: 1 } } }, network: { endpoints: ['s3', 'ssm'] }, version: 3 } },
      dev: {},
    },
  };
  const ov = ['environments', 'prod', 'overrides'];

  test.each([
    ['a value the override wrote', 'prod', ['tiers', 'web', 'capacity', 'max'], [...ov, 'tiers', 'web', 'capacity', 'max']],
    ['a value the top level wrote', 'prod', ['tiers', 'web', 'capacity', 'min'], ['tiers', 'web', 'capacity', 'min']],
    ['an item of a list the override replaced', 'prod', ['network', 'endpoints', 1], [...ov, 'network', 'endpoints', 1]],
    ['an environment without overrides', 'dev', ['tiers', 'web', 'capacity', 'max'], ['tiers', 'web', 'capacity', 'max']],
    ['a section that cannot be overridden', 'prod', ['version'], ['version']],
  ])('%s', (_name, environment, path, expected) => {
    expect(sourcePath(document, environment as string, path as string[])).toEqual(expected);
  });
});
