import fs from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { readSpec } from '../generator/pipeline';
import { buildTemplates } from '../generator/stacks/registry';
import { readTree, REPO_ROOT, sharedTrees } from './helpers';

const examples = fs.readdirSync(path.join(REPO_ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();

describe('golden output (refresh with "npm run examples", then review the diff)', () => {
  const previous = process.cwd();
  beforeAll(() => process.chdir(REPO_ROOT));
  afterAll(() => process.chdir(previous));
  const trees = new Map(sharedTrees().map((t) => [t.name, t]));

  test.each(examples)('output/%s/ is exactly what gantry generates', (name) => {
    // GIVEN an example WHEN its whole tree is generated (once per test run, by the current source) THEN output/<example>/ holds exactly those bytes
    const expected = readTree(trees.get(name)!.dir);
    const actual = readTree(path.join(REPO_ROOT, 'output', name));
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    const diffs = Object.keys(expected).filter((f) => actual[f] !== expected[f])
      .map((f) => createTwoFilesPatch(`output/${name}/${f}`, 'generated', actual[f] ?? '', expected[f] ?? ''));
    expect(diffs.join('\n')).toBe('');
  });

  test.each(examples)('%s generates the same bytes in another process', (name) => {
    // GIVEN the tree one process generated WHEN this one builds the templates again THEN they are the same bytes
    const tree = readTree(trees.get(name)!.dir);
    for (const artifact of buildTemplates(readSpec(`examples/${name}.yaml`).model!)) expect([artifact.path, tree[artifact.path]]).toEqual([artifact.path, artifact.content]);
  });
});
