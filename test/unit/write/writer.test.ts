import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { headerLine } from '../../../generator/render/yaml';
import { MANIFEST_FILE } from '../../../generator/write/manifest';
import { applyWrite, describeDrift, planWrite, renderDiff } from '../../../generator/write/writer';
import { snapshotTree, tempDir } from '../../helpers';

const header = headerLine('environment.yaml');
const file = (name: string, body: string) => ({ path: name, content: `${header}\n${body}\n` });

/** Only temporary folders: the writer is never pointed at anything else in tests. */
function outDir(): string {
  const dir = path.join(tempDir(), 'output');
  if (!dir.startsWith(os.tmpdir())) throw new Error('writer tests run only in temporary folders');
  return dir;
}

function generate(dir: string, artifacts: { path: string; content: string }[]) {
  const plan = planWrite(dir, 'environment.yaml', artifacts);
  applyWrite(plan);
  return plan;
}

describe('the writer', () => {
  it('creates files and a manifest, then changes nothing on a second run', () => {
    const dir = outDir();
    const artifacts = [file('prod/eu-west-1/network.yaml', 'a: 1'), file('prod/bootstrap.yaml', 'b: 2')];
    expect(generate(dir, artifacts).changes.map((c) => `${c.kind} ${c.path}`)).toEqual(['create prod/bootstrap.yaml', 'create prod/eu-west-1/network.yaml']);
    const before = snapshotTree(dir);
    const again = generate(dir, artifacts);
    expect(again.changes.every((c) => c.kind === 'unchanged')).toBe(true);
    expect(snapshotTree(dir)).toEqual(before);
    expect(describeDrift(again)).toEqual([]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')).files).toHaveProperty(['prod/eu-west-1/network.yaml']);
  });

  it('tells a hand edit from a stale file, and shows the diff', () => {
    const dir = outDir();
    generate(dir, [file('a.yaml', 'x: 1'), file('b.yaml', 'y: 1')]);
    fs.appendFileSync(path.join(dir, 'a.yaml'), 'edited: true\n');
    const plan = planWrite(dir, 'environment.yaml', [file('a.yaml', 'x: 1'), file('b.yaml', 'y: 2')]);
    expect(describeDrift(plan)).toEqual([`${path.join(dir, 'a.yaml')}: edited by hand`, `${path.join(dir, 'b.yaml')}: stale`]);
    expect(renderDiff(plan)).toContain('-edited: true');
    expect(renderDiff(plan)).toContain('+y: 2');
  });

  it('reports missing files and removes files it no longer generates, with their empty folders', () => {
    const dir = outDir();
    generate(dir, [file('prod/eu-west-1/api.yaml', 'a: 1'), file('prod/eu-west-1/network.yaml', 'n: 1')]);
    fs.rmSync(path.join(dir, 'prod/eu-west-1/network.yaml'));
    const plan = planWrite(dir, 'environment.yaml', [file('prod/eu-west-1/network.yaml', 'n: 1')]);
    expect(describeDrift(plan)).toEqual([
      `${path.join(dir, 'prod/eu-west-1/api.yaml')}: no longer generated (extra)`,
      `${path.join(dir, 'prod/eu-west-1/network.yaml')}: missing`,
    ]);
    applyWrite(plan);
    generate(dir, []);
    expect(fs.existsSync(path.join(dir, 'prod'))).toBe(false);
  });

  it('never touches files it did not generate', () => {
    const dir = outDir();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'NOTES.md'), 'my notes\n');
    fs.writeFileSync(path.join(dir, 'network.yaml'), 'hand-written: true\n');
    const plan = planWrite(dir, 'environment.yaml', [file('network.yaml', 'a: 1')]);
    expect(plan.conflicts.map((c) => c.path)).toEqual(['network.yaml']);
    expect(() => applyWrite(plan)).toThrow(/conflicts/);
    expect(fs.readFileSync(path.join(dir, 'network.yaml'), 'utf8')).toBe('hand-written: true\n');
    generate(dir, [file('other.yaml', 'b: 1')]);
    expect(fs.readFileSync(path.join(dir, 'NOTES.md'), 'utf8')).toBe('my notes\n');
  });

  it('leaves a once-generated file alone when its header was removed', () => {
    const dir = outDir();
    generate(dir, [file('old.yaml', 'a: 1')]);
    fs.writeFileSync(path.join(dir, 'old.yaml'), 'now mine\n');
    const plan = generate(dir, []);
    expect(plan.kept).toEqual([{ path: 'old.yaml', reason: expect.stringMatching(/no longer carries the header; left in place/) }]);
    expect(fs.readFileSync(path.join(dir, 'old.yaml'), 'utf8')).toBe('now mine\n');
    expect(describeDrift(plan)).toEqual([]);
  });
});
