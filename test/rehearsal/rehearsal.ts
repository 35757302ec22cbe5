/**
 * One rehearsal: a stand-in AWS, a user's repository with a spec and the files gantry generated from
 * it, and the means to run its workflows for GitHub events. Scenarios (scenarios.ts) drive it.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSpec } from '../../generator/pipeline';
import { awsCliEnvironment, startForkServer } from './aws/cli';
import { StandIn } from './aws/server';
import type { Denial } from './aws/iam';
import { runWorkflow, type GithubEvent, type RunResult } from './runner/workflow';

export const REPO_ROOT = path.resolve(__dirname, '../..');

/**
 * The gantry under test: under jest, the current source as the globalSetup transpiled it (never a
 * stale dist/); otherwise (`npm run rehearse`, which builds first) this repository.
 */
const GANTRY_PACKAGE = ((shared) => (shared && fs.existsSync(path.join(shared, 'source/bin/gantry.js')) ? path.join(shared, 'source') : REPO_ROOT))(process.env.GANTRY_TEST_SHARED);

export interface Layout {
  /** Paths inside the repository, as the workflows name them. */
  spec: string;
  out: string;
  workflows: string;
}

export interface StackPlan {
  stackName: string;
  region: string;
  template: string;
  tier?: string;
  imageParameter?: string;
  lookups: { name: string; lookup: string; zone?: string }[];
}

export interface EnvironmentPlan {
  name: string;
  account: string;
  regions: string[];
  /** Stacks per region key as the workflows name it (a region, or 'global'). */
  stacks: Record<string, StackPlan[]>;
}

function exec(command: string, args: string[], options: { cwd: string; env: Record<string, string> }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { ...options, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }));
  });
}

/** Where a denial or a failed step happened, for the one-line report. */
export interface StepMark {
  workflow: string;
  job: string;
  step: string;
  denialsBefore: number;
}

export class Rehearsal {
  readonly standIn = new StandIn();
  readonly scratch: string;
  readonly repository: string;
  private baseEnv: Record<string, string> = {};
  private forkServer: { stop: () => void } | undefined;
  readonly marks: StepMark[] = [];
  private workflowName = '';
  private sequence = 0;

  /** The spec rehearsed, as given. */
  readonly label: string;

  private constructor(readonly layout: Layout, source: { files: [string, string][] }) {
    this.label = source.files[0]?.[0] ?? layout.spec;
    this.scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-rehearsal-'));
    this.repository = path.join(this.scratch, 'repository');
    for (const [from, to] of source.files) fs.cpSync(from, path.join(this.repository, to), { recursive: true });
  }

  /** Rehearses files already generated: the spec, the output folder and the workflows, copied as they are. */
  static fromGenerated(cwd: string, layout: Layout): Rehearsal {
    const files: [string, string][] = [[path.resolve(cwd, layout.spec), layout.spec], [path.resolve(cwd, layout.out), layout.out]];
    if (!path.resolve(cwd, layout.workflows).startsWith(path.resolve(cwd, layout.out) + path.sep)) files.push([path.resolve(cwd, layout.workflows), layout.workflows]);
    return new Rehearsal(layout, { files });
  }

  /** A user's repository with `environment.yaml` and what `gantry generate` writes from it. */
  static async fromSpec(specFile: string): Promise<Rehearsal> {
    const layout = { spec: 'environment.yaml', out: 'output', workflows: '.github/workflows' };
    const rehearsal = new Rehearsal(layout, { files: [[specFile, 'environment.yaml']] });
    await rehearsal.generate();
    return rehearsal;
  }

  /** Runs the built `gantry generate` in the repository (after the spec changed, too). */
  async generate(): Promise<void> {
    const result = await exec(process.execPath, [path.join(GANTRY_PACKAGE, 'bin/gantry.js'), 'generate', '--spec', this.layout.spec, '--out', this.layout.out, '--workflows', this.layout.workflows],
      { cwd: this.repository, env: { PATH: process.env.PATH ?? '' } });
    if (result.code !== 0) throw new Error(`gantry generate failed: ${result.stdout}${result.stderr}`);
  }

  async start(): Promise<void> {
    await this.standIn.start();
    const tools = path.join(this.scratch, 'tools');
    fs.mkdirSync(tools, { recursive: true });
    // The fork server makes the CLI's loader and driver for the calls, so it starts in their environment.
    const forkServer = await startForkServer(tools, awsCliEnvironment(tools, this.standIn.url));
    this.forkServer = forkServer;
    this.baseEnv = awsCliEnvironment(tools, this.standIn.url, forkServer);
    // The workflows' "Install gantry" step runs `npm ci` in the user's repository, whose package.json
    // pins gantry. Here the package under test is linked instead, so no registry is reached.
    fs.writeFileSync(path.join(tools, 'bin', 'npm'), [
      '#!/bin/sh',
      'if [ "$1" = ci ]; then',
      '  mkdir -p node_modules/.bin',
      `  ln -sfn "${GANTRY_PACKAGE}" node_modules/gantry`,
      '  ln -sfn ../gantry/bin/gantry.js node_modules/.bin/gantry',
      '  echo "linked the gantry under test into node_modules (stands in for npm ci)"',
      '  exit 0',
      'fi',
      `exec "${process.execPath.replace(/node$/, 'npm')}" "$@"`,
      '',
    ].join('\n'), { mode: 0o755 });
  }

  async stop(): Promise<void> {
    this.forkServer?.stop();
    // GANTRY_REHEARSAL_CALL_LOG=FILE appends every AWS call the stand-in answered (one JSON line each), to see where a
    // rehearsal's calls go.
    const log = process.env.GANTRY_REHEARSAL_CALL_LOG;
    if (log) fs.appendFileSync(log, this.standIn.world.calls.map((c) => `${JSON.stringify({ source: this.label, ...c })}\n`).join(''));
    await this.standIn.stop();
    fs.rmSync(this.scratch, { recursive: true, force: true });
  }

  /** The environments with their accounts, regions and stacks, read as the workflows read them (`gantry stacks`). */
  async plan(): Promise<EnvironmentPlan[]> {
    const report = readSpec(path.join(this.repository, this.layout.spec));
    if (!report.model) throw new Error(`${this.layout.spec} is not a valid spec`);
    const out: EnvironmentPlan[] = [];
    for (const environment of report.model.environments) {
      const regions = environment.regions.map((r) => r.region);
      const stacks: Record<string, StackPlan[]> = {};
      for (const region of [...regions, 'global']) {
        const result = await exec(process.execPath, [path.join(GANTRY_PACKAGE, 'bin/gantry.js'), 'stacks', '--spec', this.layout.spec, '--out', this.layout.out, '--environment', environment.name, '--region', region],
          { cwd: this.repository, env: { PATH: process.env.PATH ?? '' } });
        if (result.code !== 0) throw new Error(`gantry stacks failed: ${result.stdout}${result.stderr}`);
        stacks[region] = (JSON.parse(result.stdout) as { stacks: StackPlan[] }).stacks;
      }
      out.push({ name: environment.name, account: environment.account, regions, stacks });
    }
    return out;
  }

  /** The AWS region a region key of the plan deploys to (the global stacks live in us-east-1). */
  static awsRegion(key: string): string {
    return key === 'global' ? 'us-east-1' : key;
  }

  /** Runs a shell command as an account's administrator, with the real AWS CLI, in the repository. */
  async asAdmin(account: string, command: string): Promise<{ code: number; output: string }> {
    const result = await exec('bash', ['-c', command], {
      cwd: this.repository,
      env: { ...this.baseEnv, HOME: this.scratch, AWS_ACCESS_KEY_ID: this.standIn.world.adminKey(account), AWS_SECRET_ACCESS_KEY: 'stand-in' },
    });
    return { code: result.code, output: `${result.stdout}${result.stderr}` };
  }

  /** Runs one workflow file for an event. */
  async run(workflowFile: string, event: Partial<GithubEvent> & Pick<GithubEvent, 'name'>, options: { secrets?: Record<string, string>; approve?: (environment: string) => boolean; cancel?: AbortSignal } = {}): Promise<RunResult> {
    const file = path.join(this.repository, this.layout.workflows, workflowFile);
    if (!fs.existsSync(file)) throw new Error(`${this.layout.workflows}/${workflowFile} does not exist`);
    this.workflowName = workflowFile;
    this.sequence += 1;
    const scratch = path.join(this.scratch, `run-${this.sequence}`);
    fs.mkdirSync(scratch);
    return runWorkflow(file, {
      repository: this.repository_name(), ref: `refs/heads/${this.branch()}`, sha: `${this.sequence.toString(16).padStart(7, '0')}abc0def1234567890abcdef12345678`.slice(0, 40), ...event,
    }, {
      repository: this.repository, scratch, baseEnv: this.baseEnv, secrets: options.secrets ?? {}, githubApiUrl: `${this.standIn.url}/github`,
      gantryPackage: GANTRY_PACKAGE, ...(options.approve ? { approve: options.approve } : {}), ...(options.cancel ? { cancel: options.cancel } : {}),
      onStep: (job, step) => this.marks.push({ workflow: this.workflowName, job, step, denialsBefore: this.standIn.world.authorizer.denials.length }),
    });
  }

  /** The branch that deploys (the spec's github.branch): pushes, dispatches and schedules run on it. */
  branch(): string {
    return readSpec(path.join(this.repository, this.layout.spec)).model?.github?.branch ?? 'main';
  }

  /** owner/name from the spec's github.repository. */
  repository_name(): string {
    const report = readSpec(path.join(this.repository, this.layout.spec));
    return report.model?.github?.repository ?? 'acme/platform';
  }

  /** The denials the stand-in recorded, each with the workflow step during which it happened. */
  denials(): (Denial & { where?: StepMark })[] {
    const all = this.standIn.world.authorizer.denials;
    return all.map((denial, index) => {
      const where = [...this.marks].reverse().find((m) => m.denialsBefore <= index);
      return { ...denial, ...(where ? { where } : {}) };
    });
  }
}
