import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './helpers';

/**
 * gantry as a user's repository has it: packed (scripts/pack.js, which is `npm pack` of the published
 * manifest), installed as a pinned devDependency into a fresh git repository in the system's temporary
 * folder, and run from node_modules/.bin/gantry. Every file any command opens, reads, lists or writes is
 * recorded (test/fixtures/fs-trace.js through NODE_OPTIONS); all of them must be inside that repository,
 * so a command that still reached into gantry's source tree (or ../shared) fails here. The npm registry is
 * the only network this uses (npm's cache first).
 */
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let root: string;
let repo: string;
let tarball: string;
let installLog: string;
let scratch: string;

beforeAll(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-install-')));
  repo = path.join(root, 'platform');
  fs.mkdirSync(repo);
  // dist/ is what `npm ci` built (the prepare script); packing does not rebuild it.
  tarball = execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/pack.js'), '--no-build', '--pack-destination', root], { encoding: 'utf8' }).trim();
  execFileSync('git', ['init', '--quiet'], { cwd: repo });
  fs.writeFileSync(path.join(repo, 'package.json'), `${JSON.stringify({ name: 'acme-platform', version: '1.0.0', private: true }, null, 2)}\n`);
  const install = spawnSync(npm, ['install', '--save-dev', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: repo, encoding: 'utf8' });
  installLog = `${install.stdout}${install.stderr}`;
  if (install.status !== 0) throw new Error(`npm install of ${tarball} failed:\n${installLog}`);
  fs.copyFileSync(path.join(REPO_ROOT, 'test/fixtures/fs-trace.js'), path.join(root, 'fs-trace.js'));
  scratch = path.join(root, 'tmp');
  fs.mkdirSync(scratch);
}, 240_000);

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

/** Runs the installed binary in the repository with every file access traced. */
function gantry(args: string[]) {
  const trace = path.join(root, `trace-${args[0]}-${Math.random().toString(36).slice(2)}.log`);
  const result = spawnSync(path.join(repo, 'node_modules/.bin/gantry'), args, {
    cwd: repo,
    encoding: 'utf8',
    // gantry builds its stacks under no CDK App, so it makes no scratch cloud-assembly folder; TMPDIR
    // points into the test's folder so that anything that did would show up as inside, not outside.
    env: { PATH: process.env.PATH, HOME: root, TMPDIR: scratch, NODE_OPTIONS: `--require ${path.join(root, 'fs-trace.js')}`, GANTRY_FS_TRACE: trace },
  });
  const touched = fs.existsSync(trace) ? [...new Set(fs.readFileSync(trace, 'utf8').split('\n').filter(Boolean))] : [];
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, touched };
}

const outside = (files: string[]) => files.filter((f) => f !== root && !f.startsWith(`${root}${path.sep}`));

describe('gantry installed from its packed tarball into a fresh repository', () => {
  it('installs cleanly on this Node.js: no engine warnings, no install scripts, pinned in package-lock.json', () => {
    expect(installLog).not.toMatch(/EBADENGINE|install scripts/);
    const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
    expect(manifest.devDependencies.gantry).toMatch(/^file:.*gantry-\d+\.\d+\.\d+\.tgz$/);
    const lock = JSON.parse(fs.readFileSync(path.join(repo, 'package-lock.json'), 'utf8'));
    expect(lock.packages['node_modules/gantry']).toMatchObject({ dev: true, integrity: expect.stringMatching(/^sha512-/) });
    expect(fs.existsSync(path.join(repo, 'node_modules/gantry/blueprints/bootstrap.yaml'))).toBe(true);
  });

  it('runs init, validate, generate, check, diff, export, lint and schema touching only files inside the repository', () => {
    const steps: [string[], RegExp][] = [
      [['init', '--from', 'medical-logistics'], /^Wrote environment\.yaml from the medical-logistics example/],
      [['validate'], /^✔ environment\.yaml is valid: 2 environments/],
      [['generate'], /created output\/preprod\/bootstrap\.yaml/],
      [['check'], /^✔ output and \.github\/workflows are current/],
      [['diff', '--exit-code'], /^No changes: /],
      [['export', '--all'], /Exported prod af-south-1 to export\/prod\/af-south-1\//],
      [['export', '--layout', 'stacksets', '--environment', 'prod'], /Exported prod's stack sets/],
      [['lint'], /no findings/],
      [['schema'], /"\$schema"/],
    ];
    for (const [args, expected] of steps) {
      const result = gantry(args);
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 0, stderr: '' });
      expect(result.stdout).toMatch(expected);
      // The example pins PostgreSQL 16.4, which RDS no longer creates (gantry warns, GNT234): the team
      // writes the version the warning names, as a user would.
      if (args[0] === 'init') {
        const spec = path.join(repo, 'environment.yaml');
        fs.writeFileSync(spec, fs.readFileSync(spec, 'utf8').replace('version: "16.4"', 'version: "16.13"'));
      }
      // A hook that recorded nothing would prove nothing: every command loads gantry's own modules.
      expect(result.touched).toContain(path.join(repo, 'node_modules/gantry/dist/cli/main.js'));
      expect({ args, outside: outside(result.touched) }).toEqual({ args, outside: [] });
      expect(fs.readdirSync(scratch)).toEqual([]);
    }
    expect(fs.existsSync(path.join(repo, '.github/workflows/gantry-deploy.yml'))).toBe(true);
  }, 240_000);

  it('points the spec at the installed schema, relative to where the spec is', () => {
    const nested = gantry(['init', '--spec', 'infra/environment.yaml']);
    expect(nested.code).toBe(0);
    expect(fs.readFileSync(path.join(repo, 'infra/environment.yaml'), 'utf8').split('\n')[0])
      .toBe('# yaml-language-server: $schema=../node_modules/gantry/schemas/environment.schema.json');
    const top = fs.readFileSync(path.join(repo, 'environment.yaml'), 'utf8').split('\n')[0];
    expect(top).toBe('# yaml-language-server: $schema=node_modules/gantry/schemas/environment.schema.json');
    expect(fs.existsSync(path.join(repo, 'node_modules/gantry/schemas/environment.schema.json'))).toBe(true);
  });
});
