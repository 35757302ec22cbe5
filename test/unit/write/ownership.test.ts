import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { headerLine } from '../../../generator/render/yaml';
import { WriteRefusal } from '../../../generator/write/errors';
import { hashContent, MANIFEST_FILE, parseManifest, WORKFLOWS_MANIFEST_FILE } from '../../../generator/write/manifest';
import { entryProblem, isInside } from '../../../generator/write/safe-paths';
import { removeEmptyParents } from '../../../generator/write/transaction';
import { applyWrite, describeDrift, planWrite, refuseForeignFolder, renderDiff } from '../../../generator/write/writer';
import { tempDir } from '../../helpers';

/**
 * The attacks of issue 11 on the writer's ownership: each builds the hostile tree in a temporary
 * folder (a "repository" with an output folder and a victim beside it) and proves the victim stays.
 */

const header = headerLine('environment.yaml');
const file = (name: string, body: string) => ({ path: name, content: `${header}\n${body}\n` });
const victimText = `${header}\nvictim: true\n`;

function repository() {
  const root = tempDir();
  if (!root.startsWith(os.tmpdir())) throw new Error('these tests run only in temporary folders');
  const out = path.join(root, 'output');
  applyWrite(planWrite(out, 'environment.yaml', [file('prod/a.yaml', 'a: 1'), file('README.md', 'r')]));
  return { root, out };
}

function forgeEntry(manifestFile: string, entry: string, hash = '0'.repeat(64)) {
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  manifest.files[entry] = hash;
  fs.writeFileSync(manifestFile, JSON.stringify(manifest));
}

describe('manifest entries are checked before anything is touched', () => {
  test.each([
    ['../victim.yaml', /leaves its folder/],
    ['../../victim.yaml', /leaves its folder/],
    ['prod/../../victim.yaml', /leaves its folder/],
    ['/tmp/victim.yaml', /absolute path/],
    ['C:/victim.yaml', /absolute path/],
    ['./prod/a.yaml', /not a normalised path/],
    ['prod//a.yaml', /not a normalised path/],
    ['prod\\..\\..\\victim.yaml', /backslash/],
    ['prod/.a.yaml.gantry-new', /temporary files/],
    ['', /is empty/],
  ])('refuses the entry %j in generate, check and diff', (entry, reason) => {
    const { root, out } = repository();
    fs.writeFileSync(path.join(root, 'victim.yaml'), victimText);
    const manifestFile = path.join(out, MANIFEST_FILE);
    forgeEntry(manifestFile, entry);
    const plan = () => planWrite(out, 'environment.yaml', [file('README.md', 'r')]);
    expect(plan).toThrow(WriteRefusal);
    expect(plan).toThrow(reason);
    expect(plan).toThrow(/Restore it \(git checkout -- .*\.gantry-manifest\.json\)/);
    expect(fs.readFileSync(path.join(root, 'victim.yaml'), 'utf8')).toBe(victimText);
  });

  it('refuses a forged entry in the workflows manifest too', () => {
    const { root, out } = repository();
    const workflows = path.join(root, '.github', 'workflows');
    const manifestFile = path.join(out, WORKFLOWS_MANIFEST_FILE);
    applyWrite(planWrite(workflows, 'environment.yaml', [file('gantry-plan.yml', 'on: push')], { manifestFile }));
    fs.writeFileSync(path.join(root, 'keep.yaml'), victimText);
    forgeEntry(manifestFile, '../../keep.yaml');
    expect(() => planWrite(workflows, 'environment.yaml', [], { manifestFile })).toThrow(/"\.\.\/\.\.\/keep\.yaml" leaves its folder/);
    expect(fs.readFileSync(path.join(root, 'keep.yaml'), 'utf8')).toBe(victimText);
  });

  test.each([
    ['truncated', (t: string) => t.slice(0, 60), /not valid JSON .*truncated\?/],
    ['not an object', () => '[]', /not a JSON object/],
    ['not gantry\'s', (t: string) => t.replace('"gantry"', '"someone"'), /"generatedBy" is not "gantry"/],
    ['a hash that is not SHA-256', (t: string) => t.replace(/"[0-9a-f]{64}"/, '"abc"'), /has no SHA-256 hash/],
    ['unknown fields', (t: string) => t.replace('{', '{"extra": 1,'), /unknown fields \(extra\)/],
  ])('a %s manifest is an error, not silence', (_what, corrupt, reason) => {
    const { out } = repository();
    const manifestFile = path.join(out, MANIFEST_FILE);
    fs.writeFileSync(manifestFile, corrupt(fs.readFileSync(manifestFile, 'utf8')));
    expect(() => planWrite(out, 'environment.yaml', [file('README.md', 'r')])).toThrow(reason);
  });

  it('refuses a manifest entry that names a folder (EISDIR) instead of crashing', () => {
    const { out } = repository();
    forgeEntry(path.join(out, MANIFEST_FILE), 'prod');
    expect(() => planWrite(out, 'environment.yaml', [])).toThrow(/lists prod, but .*prod is a folder; gantry lists only files/);
    expect(fs.existsSync(path.join(out, 'prod/a.yaml'))).toBe(true);
  });

  it('accepts only plain relative paths', () => {
    expect(entryProblem('prod/eu-west-1/network.yaml')).toBeUndefined();
    expect(entryProblem('..foo/bar.yaml')).toBeUndefined();
    expect(parseManifest(undefined)).toBeUndefined();
  });
});

describe('paths are compared as paths', () => {
  it('knows out2 is not inside out', () => {
    expect(isInside('/x/out', '/x/out2/sub')).toBe(false);
    expect(isInside('/x/out', '/x/out/sub')).toBe(true);
    expect(isInside('/x/out', '/x/out')).toBe(false);
    expect(isInside('/x/out', '/x/out/../out2')).toBe(false);
    expect(isInside('/x/out', '/x/out/..sub')).toBe(true);
  });

  it('never removes folders beside the output folder that share its name as a prefix', () => {
    const { root, out } = repository();
    fs.mkdirSync(path.join(root, 'output2', 'sub'), { recursive: true });
    removeEmptyParents(path.join(root, 'output2', 'sub'), out);
    expect(fs.existsSync(path.join(root, 'output2', 'sub'))).toBe(true);
    // the attack itself: an entry ../output2/sub/f.yaml is refused before anything happens
    fs.writeFileSync(path.join(root, 'output2', 'sub', 'f.yaml'), victimText);
    forgeEntry(path.join(out, MANIFEST_FILE), '../output2/sub/f.yaml');
    expect(() => planWrite(out, 'environment.yaml', [])).toThrow(WriteRefusal);
    expect(fs.readFileSync(path.join(root, 'output2', 'sub', 'f.yaml'), 'utf8')).toBe(victimText);
  });
});

describe('symbolic links inside gantry\'s folders', () => {
  it('never writes through a linked folder', () => {
    const { root, out } = repository();
    const elsewhere = path.join(root, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.rmSync(path.join(out, 'prod'), { recursive: true });
    fs.symlinkSync(elsewhere, path.join(out, 'prod'));
    expect(() => planWrite(out, 'environment.yaml', [file('prod/a.yaml', 'a: 2')])).toThrow(/output\/prod is a symbolic link inside .*never writes or deletes through a link/);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });

  it('never writes through or deletes a linked file', () => {
    const { root, out } = repository();
    fs.writeFileSync(path.join(root, 'victim.yaml'), victimText);
    fs.rmSync(path.join(out, 'README.md'));
    fs.symlinkSync(path.join(root, 'victim.yaml'), path.join(out, 'README.md'));
    // as a file it writes, and as a file it would remove
    expect(() => planWrite(out, 'environment.yaml', [file('README.md', 'new')])).toThrow(/README\.md is a symbolic link/);
    expect(() => planWrite(out, 'environment.yaml', [])).toThrow(/README\.md is a symbolic link/);
    expect(fs.readFileSync(path.join(root, 'victim.yaml'), 'utf8')).toBe(victimText);
    expect(fs.lstatSync(path.join(out, 'README.md')).isSymbolicLink()).toBe(true);
  });

  it('never follows a linked manifest', () => {
    const { root, out } = repository();
    fs.renameSync(path.join(out, MANIFEST_FILE), path.join(root, 'm.json'));
    fs.symlinkSync(path.join(root, 'm.json'), path.join(out, MANIFEST_FILE));
    expect(() => planWrite(out, 'environment.yaml', [])).toThrow(/\.gantry-manifest\.json is a symbolic link/);
  });
});

describe('what check sees in the manifest itself', () => {
  it('reports a manifest whose hashes were changed, though every file is right', () => {
    const { out } = repository();
    const manifestFile = path.join(out, MANIFEST_FILE);
    forgeEntry(manifestFile, 'README.md', 'f'.repeat(64));
    const plan = planWrite(out, 'environment.yaml', [file('prod/a.yaml', 'a: 1'), file('README.md', 'r')]);
    expect(describeDrift(plan)).toEqual([`${manifestFile}: records other hashes for README.md`]);
  });

  it('reports a tree of new files under an old manifest (what a crash used to leave)', () => {
    const { out } = repository();
    const manifestFile = path.join(out, MANIFEST_FILE);
    const old = fs.readFileSync(manifestFile, 'utf8');
    const next = [file('prod/a.yaml', 'a: 2'), file('README.md', 'r'), file('prod/b.yaml', 'b: 1')];
    applyWrite(planWrite(out, 'environment.yaml', next));
    fs.writeFileSync(manifestFile, old);
    expect(describeDrift(planWrite(out, 'environment.yaml', next))).toEqual([
      `${manifestFile}: does not list prod/b.yaml`,
      `${manifestFile}: records other hashes for prod/a.yaml`,
    ]);
  });

  it('reports a missing manifest', () => {
    const { out } = repository();
    fs.rmSync(path.join(out, MANIFEST_FILE));
    expect(describeDrift(planWrite(out, 'environment.yaml', [file('prod/a.yaml', 'a: 1'), file('README.md', 'r')]))).toEqual([`${path.join(out, MANIFEST_FILE)}: missing`]);
  });
});

describe('files in the way', () => {
  it('calls a folder where a file goes a conflict, not an internal error', () => {
    const { out } = repository();
    fs.mkdirSync(path.join(out, 'prod', 'b.yaml'));
    const plan = planWrite(out, 'environment.yaml', [file('prod/b.yaml', 'b: 1')]);
    expect(plan.conflicts).toEqual([{ path: 'prod/b.yaml', reason: expect.stringMatching(/is a folder .* where gantry writes a file/) }]);
  });

  it('calls a file where a folder goes a conflict (ENOTDIR)', () => {
    const { out } = repository();
    const plan = planWrite(out, 'environment.yaml', [file('README.md/x.yaml', 'x: 1')]);
    expect(plan.conflicts).toEqual([{ path: 'README.md/x.yaml', reason: expect.stringMatching(/README\.md is a file where gantry needs a folder/) }]);
  });
});

describe('JSON files get their ownership from the manifest alone', () => {
  it('removes a JSON file it wrote and no longer writes; keeps one edited since', () => {
    const root = tempDir();
    const out = path.join(root, 'bundle');
    const json = (name: string, value: unknown) => ({ path: name, content: `${JSON.stringify(value)}\n` });
    applyWrite(planWrite(out, 'environment.yaml', [json('parameters/05-budget.json', []), json('parameters/06-edge.json', [1]), json('tags.json', [])]));
    fs.writeFileSync(path.join(out, 'parameters/06-edge.json'), '[2]\n');
    const plan = planWrite(out, 'environment.yaml', [json('tags.json', [])]);
    expect(plan.changes.filter((c) => c.kind === 'remove').map((c) => c.path)).toEqual(['parameters/05-budget.json']);
    expect(plan.kept).toEqual([{ path: 'parameters/06-edge.json', reason: expect.stringMatching(/edited since; left in place/) }]);
    expect(renderDiff(plan)).toContain('parameters/05-budget.json');
    applyWrite(plan);
    expect(fs.existsSync(path.join(out, 'parameters/05-budget.json'))).toBe(false);
    expect(fs.readFileSync(path.join(out, 'parameters/06-edge.json'), 'utf8')).toBe('[2]\n');
  });

  it('never claims a JSON file it did not list', () => {
    const out = path.join(tempDir(), 'bundle');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'tags.json'), '["mine"]\n');
    fs.writeFileSync(path.join(out, MANIFEST_FILE), `${JSON.stringify({ generatedBy: 'gantry', spec: 's', files: {} })}\n`);
    expect(planWrite(out, 's', [{ path: 'tags.json', content: '[]\n' }]).conflicts.map((c) => c.path)).toEqual(['tags.json']);
    expect(hashContent('[]\n')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('folders gantry refuses to write into', () => {
  const guard = (dir: string, extra: Partial<Parameters<typeof refuseForeignFolder>[0]> = {}) => () =>
    refuseForeignFolder({ option: '--out', dir, artifacts: [], manifestFile: path.join(dir, MANIFEST_FILE), env: {}, ...extra });

  it('refuses the root of the file system, however spelt', () => {
    expect(guard('/')).toThrow(/--out \/ is the root of the file system/);
    expect(guard('/tmp/..')).toThrow(/is the root of the file system/);
  });

  it('refuses the home folder, also through a link', () => {
    const home = tempDir();
    expect(guard(home, { env: { HOME: home } })).toThrow(/is your home folder/);
    const link = path.join(tempDir(), 'home-link');
    fs.symlinkSync(home, link);
    expect(guard(link, { env: { HOME: home } })).toThrow(/is your home folder/);
  });

  it('refuses a folder of files gantry did not write, and accepts new, empty and gantry\'s own', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'package.json'), '{}');
    fs.mkdirSync(path.join(dir, '.git'));
    expect(guard(dir)).toThrow(/--out .* already holds files gantry did not write \(\.git, package\.json\) and has no \.gantry-manifest\.json/);
    expect(guard(path.join(dir, 'new'))).not.toThrow();
    expect(guard(tempDir())).not.toThrow();
    const { out } = repository();
    fs.writeFileSync(path.join(out, 'NOTES.md'), 'mine');
    expect(guard(out)).not.toThrow();
  });

  it('accepts a workflows folder that holds the team\'s own workflows, not one of other files', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'ci.yml'), 'on: push\n');
    const workflows = { option: '--workflows', alsoAllowed: (n: string) => /^[^/]+\.ya?ml$/.test(n) };
    expect(guard(dir, workflows)).not.toThrow();
    fs.writeFileSync(path.join(dir, 'index.ts'), '');
    expect(guard(dir, workflows)).toThrow(/--workflows .* already holds files gantry did not write \(index\.ts\)/);
  });
});
