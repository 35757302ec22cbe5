import { closest, listWords } from '../../../generator/util/suggest';

describe('closest', () => {
  test.each([
    ['instancetype', ['os', 'instanceType', 'capacity'], 'instanceType'],
    ['eu-west1', ['eu-west-1', 'eu-west-2', 'us-west-1'], 'eu-west-1'],
    ['capcity', ['capacity', 'scaling'], 'capacity'],
    ['zzzzzz', ['capacity', 'scaling'], undefined],
    ['ap', ['api', 'web'], 'api'],
  ])('%s -> %s', (word, candidates, expected) => {
    expect(closest(word, candidates)).toBe(expected);
  });

  it('lists words', () => {
    expect(listWords(['a', 'b', 'c'])).toBe('a, b and c');
    expect(listWords(['a'])).toBe('a');
  });
});
