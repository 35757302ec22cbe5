import fs from 'node:fs';
import path from 'node:path';
import { run } from '../generator/cli/main';
import { corpusOutput } from '../generator/cli/corpus';
import { REPO_ROOT, snapshotTree } from './helpers';

const dir = path.join(REPO_ROOT, 'test/invalid');
const specs = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

describe('the invalid-spec corpus (refresh with "npm run examples", then review the diff)', () => {
  const before = snapshotTree(dir);
  afterAll(() => {
    // Validation never writes: the corpus folder is byte-for-byte what it was.
    expect(snapshotTree(dir)).toEqual(before);
  });

  it('holds at least 40 malformed specs, each with its expected output', () => {
    expect(specs.length).toBeGreaterThanOrEqual(40);
    for (const spec of specs) expect(fs.existsSync(path.join(dir, spec.replace(/\.yaml$/, '.diagnostics.txt')))).toBe(true);
  });

  test.each(specs)('%s', async (spec) => {
    // GIVEN a malformed spec WHEN gantry validates it
    const output = await corpusOutput(run, dir, spec);
    // THEN it prints exactly the expected diagnostics, exits 1 or 2, names a line, and never a stack trace
    expect(output).toBe(fs.readFileSync(path.join(dir, spec.replace(/\.yaml$/, '.diagnostics.txt')), 'utf8'));
    expect(output).toMatch(/^exit [12]\n/);
    expect(output).toMatch(new RegExp(`^${spec.replace(/\./g, '\\.')}:\\d+:\\d+: error GNT\\d{3}: `, 'm'));
    expect(output).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
  });
});
