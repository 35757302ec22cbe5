import fs from 'node:fs';
import path from 'node:path';
import { goldenModelJson } from '../generator/model/golden';
import { readSpec } from '../generator/pipeline';
import { REPO_ROOT } from './helpers';

const examples = fs.readdirSync(path.join(REPO_ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).sort();

describe('golden resolved models', () => {
  const previous = process.cwd();
  beforeAll(() => process.chdir(REPO_ROOT));
  afterAll(() => process.chdir(previous));

  it('covers every example', () => {
    const goldens = fs.readdirSync(path.join(REPO_ROOT, 'test/golden')).filter((f) => f.endsWith('.model.json')).sort();
    expect(goldens).toEqual(examples.map((f) => f.replace(/\.yaml$/, '.model.json')));
  });

  test.each(examples)('%s resolves to its golden model (refresh with "npm run examples")', (file) => {
    // GIVEN a bundled example WHEN it is read THEN it is valid, warning-free, and its model is the committed one
    // (medical-logistics, a copy of the reference spec, pins PostgreSQL 16.4, which RDS no longer
    // creates: the one warning it may carry is GNT234's, and its model uses 16.13)
    const report = readSpec(path.join('examples', file));
    const expected = file === 'medical-logistics.yaml' ? ['GNT234'] : [];
    expect(report.diagnostics.map((d) => d.code)).toEqual(expected);
    if (file === 'medical-logistics.yaml') {
      expect([...new Set(report.model!.environments.flatMap((e) => e.regions.map((r) => r.database?.version)))]).toEqual(['16.13']);
    }
    const golden = fs.readFileSync(path.join('test/golden', file.replace(/\.yaml$/, '.model.json')), 'utf8');
    expect(goldenModelJson(report.model!)).toBe(golden);
  });

  it('keeps the reference specs identical to ../shared/specs', () => {
    const shared = path.join(REPO_ROOT, '..', 'shared', 'specs');
    if (!fs.existsSync(shared)) return; // a clone without the steering folder beside it
    for (const file of fs.readdirSync(shared)) {
      expect([file, fs.readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8')]).toEqual([file, fs.readFileSync(path.join(shared, file), 'utf8')]);
    }
  });
});
