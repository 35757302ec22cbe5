import fs from 'node:fs';
import path from 'node:path';
import { headerLine } from '../generator/render/yaml';
import { buildIdentity } from '../generator/write/fingerprint';
import { hashContent, JOURNAL_FILE, MANIFEST_FILE, WORKFLOWS_MANIFEST_FILE } from '../generator/write/manifest';
import { REPO_ROOT, runBuiltGantry, runCli, snapshotTree, tempDir } from './helpers';

/**
 * The writer's attacks of issue 11 through the commands a user runs: each in a fresh temporary
 * "repository" (the spec, output/, .github/workflows/ and a victim beside them).
 */

const victim = `${headerLine('environment.yaml')}\nvictim: true\n`;

async function repository(): Promise<string> {
  const dir = tempDir();
  await runCli(['init', '--from', 'minimal'], { cwd: dir });
  expect((await runCli(['generate'], { cwd: dir })).code).toBe(0);
  return dir;
}

function forge(manifestFile: string, entry: string) {
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  manifest.files[entry] = '0'.repeat(64);
  fs.writeFileSync(manifestFile, JSON.stringify(manifest));
}

const noStack = (text: string) => expect(text).not.toMatch(/internal error|\n\s+at /);

describe('generate, check and diff stop on a manifest that is not a plain list of files inside its folder', () => {
  test.each([
    [MANIFEST_FILE, '../victim.yaml', 'victim.yaml'],
    [WORKFLOWS_MANIFEST_FILE, '../../keep.yaml', 'keep.yaml'],
  ])('%s with the entry %s', async (manifest, entry, target) => {
    const dir = await repository();
    fs.writeFileSync(path.join(dir, target), victim);
    forge(path.join(dir, 'output', manifest), entry);
    const before = snapshotTree(dir);
    for (const command of ['generate', 'check', 'diff']) {
      const result = await runCli([command], { cwd: dir });
      expect([command, result.code]).toEqual([command, 2]);
      expect(result.stderr).toContain(`is not a valid gantry manifest: the entry "${entry}" leaves its folder (..)`);
      noStack(result.stderr);
    }
    expect(snapshotTree(dir)).toEqual(before);
  }, 60_000);

  it('a truncated manifest is an error in check, not a pass that hides hand edits', async () => {
    const dir = await repository();
    const manifest = path.join(dir, 'output', MANIFEST_FILE);
    fs.writeFileSync(manifest, fs.readFileSync(manifest, 'utf8').slice(0, 100));
    fs.appendFileSync(path.join(dir, 'output/README.md'), 'edited\n');
    const check = await runCli(['check'], { cwd: dir });
    expect(check.code).toBe(2);
    expect(check.stderr).toMatch(/\.gantry-manifest\.json is not a valid gantry manifest: it is not valid JSON .*truncated\?/);
  });

  it('a manifest entry that names a folder is exit 2 with the path, not an internal error', async () => {
    const dir = await repository();
    forge(path.join(dir, 'output', MANIFEST_FILE), 'prod');
    const result = await runCli(['generate'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/lists prod, but output\/prod is a folder/);
    noStack(result.stderr);
  });
});

describe('generate refuses symbolic links and folders that are not its own', () => {
  it('never writes through a symlinked folder inside output/', async () => {
    const dir = await repository();
    const elsewhere = path.join(dir, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.rmSync(path.join(dir, 'output/prod'), { recursive: true });
    fs.symlinkSync(elsewhere, path.join(dir, 'output/prod'));
    const result = await runCli(['generate'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('output/prod is a symbolic link inside output; gantry never writes or deletes through a link');
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });

  it('refuses the home folder and a folder of other files, and writes nothing there', async () => {
    const dir = tempDir();
    await runCli(['init', '--from', 'minimal'], { cwd: dir });
    const home = await runCli(['generate', '--out', dir, '--workflows', path.join(tempDir(), 'wf')], { cwd: dir, env: { HOME: dir } });
    expect(home.code).toBe(2);
    expect(home.stderr).toContain(`--out ${dir} is your home folder`);
    const here = await runCli(['generate', '--out', '.'], { cwd: dir });
    expect(here.code).toBe(2);
    expect(here.stderr).toMatch(/--out \. already holds files gantry did not write \(environment\.yaml\)/);
    const same = await runCli(['generate', '--out', 'x', '--workflows', 'x'], { cwd: dir });
    expect(same.code).toBe(2);
    expect(same.stderr).toContain('--out and --workflows name the same folder');
    expect(fs.readdirSync(dir)).toEqual(['environment.yaml']);
  });

  it('reports a conflict before it creates anything (not even the output folder)', async () => {
    const dir = tempDir();
    await runCli(['init', '--from', 'minimal'], { cwd: dir });
    fs.mkdirSync(path.join(dir, '.github/workflows'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.github/workflows/gantry-deploy.yml'), 'on: push\n');
    const result = await runCli(['generate'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/gantry-deploy\.yml exists and was not generated by gantry[\s\S]*Nothing was written/);
    expect(fs.existsSync(path.join(dir, 'output'))).toBe(false);
  });

  it('reports a file where a folder must be (ENOTDIR) as exit 2 with the path', async () => {
    const dir = tempDir();
    await runCli(['init', '--from', 'minimal'], { cwd: dir });
    const result = await runCli(['generate', '--out', 'environment.yaml/out'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/a part of environment\.yaml\/out\S* is a file where gantry expects a folder; move it away and run again \(ENOTDIR, \w+\)/);
    noStack(result.stderr);
  });
});

describe('an interrupted write', () => {
  it('makes check and diff fail until generate completes or rolls it back', async () => {
    const dir = await repository();
    // what a run killed after writing its journal (before staging) leaves
    fs.writeFileSync(path.join(dir, 'output', JOURNAL_FILE), JSON.stringify({ journal: 'gantry', version: 1, pid: 12345, state: 'staging', roots: ['.'], dirs: [], ops: [] }));
    const check = await runCli(['check'], { cwd: dir });
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('output/.gantry-journal.json: a write was interrupted (or is running); run "gantry generate" to complete or roll it back');
    expect((await runCli(['diff'], { cwd: dir })).code).toBe(1);
    const generate = await runCli(['generate'], { cwd: dir });
    expect(generate.stderr).toContain('an interrupted write (pid 12345) was found in output and rolled back');
    expect(generate.code).toBe(0);
    expect((await runCli(['check'], { cwd: dir })).code).toBe(0);
  });

  // The built binary, killed for real: needs dist/ (npm ci builds it).
  const built = fs.existsSync(path.join(REPO_ROOT, 'dist/write/transaction.js'));
  (built ? test.each([45]) : test.skip.each([3]))('kill -9 after step %i of a real generate: check fails, the next generate recovers', async (step) => {
    const dir = await repository();
    fs.writeFileSync(path.join(dir, 'environment.yaml'), fs.readFileSync(path.join(dir, 'environment.yaml'), 'utf8').replace('project: acme-shop', 'project: acme-store'));
    const killed = await runBuiltGantry(['generate'], { cwd: dir, env: { GANTRY_TEST_CRASH_AFTER_STEP: String(step) } });
    expect(killed.code).not.toBe(0);
    expect(fs.existsSync(path.join(dir, 'output', JOURNAL_FILE))).toBe(true);
    const check = await runBuiltGantry(['check'], { cwd: dir, env: {} });
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('a write was interrupted');
    const again = await runBuiltGantry(['generate'], { cwd: dir, env: {} });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/an interrupted write \(pid \d+\) was found in output and (completed|rolled back)/);
    expect((await runBuiltGantry(['check'], { cwd: dir, env: {} })).code).toBe(0);
  }, 60_000);
});

describe('export keeps a manifest', () => {
  it('removes what it wrote before and no longer writes (budget removed from the spec)', async () => {
    const dir = tempDir();
    const spec = fs.readFileSync(path.join(REPO_ROOT, 'examples/medical-logistics.yaml'), 'utf8');
    fs.writeFileSync(path.join(dir, 'environment.yaml'), spec);
    const args = ['export', '--environment', 'prod', '--region', 'eu-west-1', '--out', 'export'];
    expect((await runCli(args, { cwd: dir })).code).toBe(0);
    const bundle = path.join(dir, 'export/prod/eu-west-1');
    expect(fs.existsSync(path.join(bundle, 'parameters/05-budget.json'))).toBe(true);
    fs.writeFileSync(path.join(bundle, 'NOTES.md'), 'mine\n');
    fs.writeFileSync(path.join(dir, 'environment.yaml'), spec.replace(/^budget:\n(  .*\n)+/m, '').replace(/ *budget: \{ monthlyUsd: 800 \}\n/, ''));
    const again = await runCli(args, { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`removed ${path.join('export/prod/eu-west-1', 'parameters/05-budget.json')} (no longer exported)`);
    expect(fs.existsSync(path.join(bundle, 'parameters/05-budget.json'))).toBe(false);
    expect(fs.existsSync(path.join(bundle, 'templates/05-budget.yaml'))).toBe(false);
    expect(fs.readFileSync(path.join(bundle, 'NOTES.md'), 'utf8')).toBe('mine\n');
    const manifest = JSON.parse(fs.readFileSync(path.join(bundle, MANIFEST_FILE), 'utf8')) as { files: Record<string, string> };
    expect(Object.keys(manifest.files)).not.toContain('parameters/05-budget.json');
    expect(Object.keys(manifest.files).filter((f) => f.startsWith('parameters/')).length).toBe(fs.readdirSync(path.join(bundle, 'parameters')).length);
  }, 60_000);

  it('refuses to export into the home folder', async () => {
    const dir = tempDir();
    fs.copyFileSync(path.join(REPO_ROOT, 'examples/minimal.yaml'), path.join(dir, 'environment.yaml'));
    const result = await runCli(['export', '--all', '--out', dir], { cwd: dir, env: { HOME: dir } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is your home folder');
    expect(fs.readdirSync(dir)).toEqual(['environment.yaml']);
  });
});

describe('check without building (an unchanged spec and the same build of gantry)', () => {
  it('verifies the files against the manifests\' hashes, and builds once the spec changed', async () => {
    // GIVEN a generated tree WHEN nothing changed THEN check compares hashes only
    const dir = await repository();
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'output', MANIFEST_FILE), 'utf8')) as { gantry: string; inputs: string; build: string };
    expect(manifest.gantry).toBe(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version);
    expect(manifest.inputs).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.build).toBe(buildIdentity());
    const current = await runCli(['check'], { cwd: dir });
    expect(current.code).toBe(0);
    expect(current.stdout).toContain('(17 files from environment.yaml; the spec and gantry are unchanged since they were generated, so their hashes were checked without building)');
    const json = await runCli(['check', '--format', 'json'], { cwd: dir });
    expect([json.code, JSON.parse(json.stdout)]).toEqual([0, { current: true, files: 17, problems: [] }]);
    // a hand edit and a missing file are found from the hashes alone, and reported as a build reports them
    fs.appendFileSync(path.join(dir, 'output/prod/bootstrap.yaml'), '# mine\n');
    fs.rmSync(path.join(dir, '.github/workflows/gantry-drift.yml'));
    const drift = await runCli(['check'], { cwd: dir });
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain('output/prod/bootstrap.yaml: edited by hand');
    expect(drift.stdout).toContain('.github/workflows/gantry-drift.yml: missing');
    expect(drift.stdout).toContain('2 generated files differ from what "gantry generate" writes from environment.yaml.');
    expect(drift.stdout).toContain('a hand edit is overwritten, so make the change in environment.yaml instead');
    expect((await runCli(['generate'], { cwd: dir })).code).toBe(0);
    // a comment edited in the spec: the inputs differ, so check builds, and the files are current
    fs.appendFileSync(path.join(dir, 'environment.yaml'), '# a comment\n');
    const built = await runCli(['check'], { cwd: dir });
    expect(built.code).toBe(0);
    expect(built.stdout).toMatch(/are current \(17 files from environment\.yaml\)\./);
    // a forged entry is refused on the fast path too
    expect((await runCli(['generate'], { cwd: dir })).code).toBe(0);
    forge(path.join(dir, 'output', MANIFEST_FILE), '../x.yaml');
    expect((await runCli(['check'], { cwd: dir })).code).toBe(2);
  }, 60_000);

  it('builds and reports the stale files when the spec changed what is generated', async () => {
    const dir = await repository();
    const spec = path.join(dir, 'environment.yaml');
    fs.writeFileSync(spec, fs.readFileSync(spec, 'utf8').replace(/^project: (.*)$/m, 'project: $1x'));
    const stale = await runCli(['check'], { cwd: dir });
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain(`${path.join('output', 'prod', 'bootstrap.yaml')}: stale`);
    expect(stale.stdout).not.toContain('without building');
  }, 60_000);

  it('builds when another build of gantry wrote the tree (the same version number, other code)', async () => {
    // GIVEN a tree whose manifests name another build WHEN check runs THEN it builds to compare, and the files are current
    const dir = await repository();
    for (const file of [MANIFEST_FILE, '.gantry-workflows.json']) {
      const manifestFile = path.join(dir, 'output', file);
      fs.writeFileSync(manifestFile, fs.readFileSync(manifestFile, 'utf8').replace(/"build": "[0-9a-f]{64}"/, `"build": "${'1'.repeat(64)}"`));
    }
    const result = await runCli(['check'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/are current \(17 files from environment\.yaml\)\./);
    // and a manifest without a build (as the committed examples' are) is never trusted either
    for (const file of [MANIFEST_FILE, '.gantry-workflows.json']) {
      const manifestFile = path.join(dir, 'output', file);
      fs.writeFileSync(manifestFile, fs.readFileSync(manifestFile, 'utf8').replace(/,\n  "build": "[0-9a-f]{64}"/, ''));
    }
    fs.appendFileSync(path.join(dir, 'output/prod/bootstrap.yaml'), '# mine\n');
    const edited = await runCli(['check'], { cwd: dir });
    expect(edited.code).toBe(1);
    expect(edited.stdout).toContain('output/prod/bootstrap.yaml: edited by hand');
  }, 60_000);

  it('builds in CI, or with --build: a template edited together with its hash in the manifest is found', async () => {
    // GIVEN a hand edit whose hash was written into the manifest (a pull request can change both)
    const dir = await repository();
    const edited = path.join(dir, 'output/prod/bootstrap.yaml');
    fs.appendFileSync(edited, '# mine\n');
    const manifestFile = path.join(dir, 'output', MANIFEST_FILE);
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { files: Record<string, string> };
    manifest.files['prod/bootstrap.yaml'] = hashContent(fs.readFileSync(edited, 'utf8'));
    fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
    // WHEN check trusts the manifests (locally) THEN the hashes agree
    expect((await runCli(['check'], { cwd: dir })).stdout).toContain('without building');
    // WHEN it runs in CI, or is told to build THEN it builds and finds the file differs from what generate writes
    for (const [args, env] of [[['check'], { CI: 'true' }], [['check'], { GITHUB_ACTIONS: 'true' }], [['check', '--build'], {}]] as const) {
      const result = await runCli([...args], { cwd: dir, env });
      expect([result.code, result.stdout]).toEqual([1, expect.stringContaining(`${path.join('output', 'prod', 'bootstrap.yaml')}: stale`)]);
      expect(result.stdout).not.toContain('without building');
    }
  }, 60_000);

  const built = fs.existsSync(path.join(REPO_ROOT, 'dist/write/verify.js'));
  (built ? it : it.skip)('does not load aws-cdk-lib on the fast path', async () => {
    // GIVEN a tree the built CLI generated WHEN the built CLI checks it THEN aws-cdk-lib is never loaded
    const dir = tempDir();
    const { execFileSync } = await import('node:child_process');
    const bin = path.join(REPO_ROOT, 'bin/gantry.js');
    execFileSync(process.execPath, [bin, 'init', '--from', 'minimal'], { cwd: dir });
    execFileSync(process.execPath, [bin, 'generate'], { cwd: dir });
    const probe = `require(${JSON.stringify(path.join(REPO_ROOT, 'dist/cli/main.js'))}).run(['check'], { stdout() {}, stderr() {}, env: { ...process.env, CI: '', GITHUB_ACTIONS: '' }, cwd: process.cwd(), isTty: false })
        .then((code) => process.stdout.write(JSON.stringify({ code, cdk: Object.keys(require.cache).some((k) => k.includes('aws-cdk-lib')) })));`;
    expect(JSON.parse(execFileSync(process.execPath, ['-e', probe], { cwd: dir, encoding: 'utf8' }))).toEqual({ code: 0, cdk: false });
  }, 60_000);
});
