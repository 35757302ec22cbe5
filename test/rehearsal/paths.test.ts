import { pathsMatch } from './runner/workflow';

describe('the runner\'s paths filter (GitHub\'s on.<event>.paths)', () => {
  const patterns = ['environment.yaml', 'output/**', '.github/workflows/gantry-*.sh', 'package.json'];

  it('runs for a file under a ** pattern, or matched by * within one segment', () => {
    expect(pathsMatch(patterns, ['output/prod/eu-west-1/network.yaml'])).toBe(true);
    expect(pathsMatch(patterns, ['.github/workflows/gantry-plan.sh'])).toBe(true);
    expect(pathsMatch(patterns, ['README.md', 'package.json'])).toBe(true);
  });

  it('does not run when no changed file matches: * stops at a slash, a dot is a dot', () => {
    expect(pathsMatch(patterns, ['README.md'])).toBe(false);
    expect(pathsMatch(patterns, ['.github/workflows/old/gantry-plan.sh'])).toBe(false);
    expect(pathsMatch(['environment.yaml'], ['environmentXyaml'])).toBe(false);
  });

  it('lets the last matching pattern decide, so ! excludes', () => {
    expect(pathsMatch(['output/**', '!output/**/*.md'], ['output/README.md'])).toBe(false);
    expect(pathsMatch(['output/**', '!output/**/*.md'], ['output/README.md', 'output/prod/a.yaml'])).toBe(true);
  });
});
