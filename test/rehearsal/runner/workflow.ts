/**
 * Runs a generated GitHub Actions workflow the way GitHub would for one event: jobs in `needs` order,
 * matrices expanded, `if:` conditions evaluated, `run:` steps executed with bash and the env the
 * workflow, job and step declare. The actions gantry's workflows use have stand-ins that do what the
 * action does (checkout copies the repository; configure-aws-credentials exchanges an OIDC token whose
 * `sub` is what GitHub presents for the event, branch and environment; the artifact actions copy files).
 * A step that uses any other action fails: the rehearsal never simulates what the files do not say.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { condition, interpolate, toText, type ExpressionContext } from './expressions';

export interface GithubEvent {
  name: 'push' | 'pull_request' | 'workflow_dispatch' | 'schedule';
  /** owner/name of the repository the workflow runs in. */
  repository: string;
  ref: string;
  sha: string;
  /** For pull requests: the number and the repository the head branch lives in (a fork or the same). */
  pullRequest?: { number: number; headRepository: string; headRef: string; baseRef: string };
  inputs?: Record<string, string>;
  /** The files the push or pull request changes; given, the workflow's `paths` filter decides whether it runs. */
  changedFiles?: string[];
}

export interface StepResult {
  name: string;
  status: 'success' | 'failure' | 'skipped' | 'cancelled';
  output: string;
}

export interface JobResult {
  id: string;
  name: string;
  matrix?: Record<string, unknown>;
  status: 'success' | 'failure' | 'skipped' | 'cancelled';
  steps: StepResult[];
  environment?: string;
  /** The job's timeout-minutes, and the AWS session it assumed (seconds), to compare the two. */
  timeoutMinutes?: number;
  sessionSeconds?: number;
}

export interface RunResult {
  workflow: string;
  /** skipped: the workflow's trigger does not fire for the event (its `paths` match no changed file). */
  conclusion: 'success' | 'failure' | 'cancelled' | 'skipped';
  jobs: JobResult[];
}

export interface RunnerOptions {
  /** The repository's files as they are at the event's commit; checkout copies them. */
  repository: string;
  /** Where the run keeps its workspaces, temp folders and artifacts. */
  scratch: string;
  /** Environment every step gets: PATH with the aws wrapper, the CLI's settings. */
  baseEnv: Record<string, string>;
  secrets: Record<string, string>;
  /** GitHub's API for `github.token` users (the stand-in's). */
  githubApiUrl: string;
  /** Whether a reviewer approves a deployment to an environment (protection rules). */
  approve?: (environment: string) => boolean;
  /** Called when a step starts, so the caller can attribute what the stand-in saw to it. */
  onStep?: (job: string, step: string) => void;
  gantryPackage: string;
  /**
   * Someone pressing "Cancel workflow": once aborted, the steps running get GitHub's cancel signals,
   * later steps and jobs see cancelled() true, and only those whose `if:` says always() or cancelled() run.
   */
  cancel?: AbortSignal;
}

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * How long a step may run here. The stand-in finishes every operation within its call, so a step
 * still running after this is waiting for something that never comes: a wait without a bound, or a
 * bound measured in the job's hours. It is stopped and fails, saying so.
 */
const STEP_SECONDS = Number(process.env.GANTRY_REHEARSAL_STEP_SECONDS ?? 900);

/**
 * Runs a step's process in a process group of its own. On cancel, it gets what the runner sends a
 * cancelled step: SIGINT to its processes, SIGTERM 7.5 s later, SIGKILL 2.5 s after that. A step
 * that outlives STEP_SECONDS is killed and fails.
 * @see https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-cancellation
 */
function run(command: string, args: string[], options: { cwd: string; env: Record<string, string>; cancel?: AbortSignal | undefined }): Promise<{ code: number; output: string; cancelled: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    let cancelled = false;
    const timers: NodeJS.Timeout[] = [];
    const signal = (name: NodeJS.Signals) => { try { process.kill(-(child.pid ?? 0), name); } catch { /* the group has ended */ } };
    const onCancel = () => {
      cancelled = true;
      signal('SIGINT');
      timers.push(setTimeout(() => signal('SIGTERM'), 7_500), setTimeout(() => signal('SIGKILL'), 10_000));
    };
    if (options.cancel?.aborted) onCancel(); else options.cancel?.addEventListener('abort', onCancel, { once: true });
    let stuck = false;
    timers.push(setTimeout(() => { stuck = true; signal('SIGKILL'); }, STEP_SECONDS * 1000));
    const done = (code: number) => {
      for (const timer of timers) clearTimeout(timer);
      options.cancel?.removeEventListener('abort', onCancel);
      if (stuck) stderr.push(Buffer.from(`\n::error::the step was still running after ${STEP_SECONDS} s, although the stand-in finishes every operation at once: it waits for something that never comes, and was stopped\n`));
      resolve({ code: stuck ? 124 : code, output: `${Buffer.concat(stdout).toString('utf8')}${Buffer.concat(stderr).toString('utf8')}`, cancelled });
    };
    child.on('error', (error) => { stderr.push(Buffer.from(String(error))); done(127); });
    child.on('close', (code) => done(code ?? 1));
  });
}

/** The OIDC token's subject, as GitHub builds it (docs: "Example subject claims"). */
export function subjectClaim(event: GithubEvent, environment: string | undefined): string {
  const repo = `repo:${event.repository}`;
  if (environment) return `${repo}:environment:${environment}`;
  if (event.name === 'pull_request') return `${repo}:pull_request`;
  return `${repo}:ref:${event.ref}`;
}

function token(claims: Record<string, string>): string {
  const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(claims)}.stand-in-signature`;
}

function matrixOf(strategy: Json, ctx: ExpressionContext): Record<string, unknown>[] {
  const matrix = strategy?.matrix;
  if (!matrix) return [{}];
  let combos: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries<Json>(matrix)) {
    if (key === 'include' || key === 'exclude') continue;
    const list = typeof values === 'string' ? JSON.parse(interpolate(values, ctx)) : values;
    combos = combos.flatMap((c) => (list as unknown[]).map((v) => ({ ...c, [key]: v })));
  }
  if (Array.isArray(matrix.include)) {
    if (combos.length === 1 && Object.keys(combos[0] ?? {}).length === 0) combos = [];
    combos.push(...matrix.include);
  }
  return combos;
}

function copyTree(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true, dereference: false, filter: (src) => !src.split(path.sep).includes('node_modules') && !src.endsWith(`${path.sep}.git`) });
}

/**
 * Whether a `paths` filter lets the event run the workflow: some changed file matches a pattern, the
 * last matching pattern deciding (a `!pattern` excludes). `*` matches within a path segment, `**`
 * across segments, `?` one character.
 * @see https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#onpushpull_requestpull_request_targetpathspaths-ignore
 */
export function pathsMatch(patterns: string[], files: string[]): boolean {
  const regex = (glob: string) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\/?|\*|\?/g, (m) => (m.startsWith('**') ? '.*' : m === '*' ? '[^/]*' : '[^/]'))}$`);
  const rules = patterns.map((p) => ({ exclude: p.startsWith('!'), test: regex(p.replace(/^!/, '')) }));
  return files.some((file) => rules.reduce((included, rule) => (rule.test.test(file) ? !rule.exclude : included), false));
}

export async function runWorkflow(file: string, event: GithubEvent, options: RunnerOptions): Promise<RunResult> {
  const workflow = yaml.load(fs.readFileSync(file, 'utf8')) as Json;
  const name = path.basename(file);
  const trigger = workflow.on?.[event.name];
  if (event.changedFiles && Array.isArray(trigger?.paths) && !pathsMatch(trigger.paths.map(String), event.changedFiles)) {
    return { workflow: name, conclusion: 'skipped', jobs: [] };
  }
  const jobs = Object.entries<Json>(workflow.jobs ?? {});
  const results = new Map<string, JobResult[]>();
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (id: string) => {
    if (order.includes(id)) return;
    if (visiting.has(id)) throw new Error(`${name}: jobs ${id} needs itself`);
    visiting.add(id);
    const job = workflow.jobs[id];
    if (!job) throw new Error(`${name}: a job needs "${id}", which does not exist`);
    for (const need of [job.needs ?? []].flat()) visit(String(need));
    order.push(id);
  };
  for (const [id] of jobs) visit(id);
  const runId = String(1000 + Math.floor(Math.abs(hash(file + event.sha)) % 9000));
  const artifacts = path.join(options.scratch, `artifacts-${runId}`);
  fs.mkdirSync(artifacts, { recursive: true });
  const eventPayload: Json = {
    inputs: event.inputs ?? {},
    ...(event.pullRequest ? {
      number: event.pullRequest.number,
      pull_request: {
        number: event.pullRequest.number,
        head: { ref: event.pullRequest.headRef, sha: event.sha, repo: { full_name: event.pullRequest.headRepository } },
        base: { ref: event.pullRequest.baseRef, repo: { full_name: event.repository } },
      },
    } : {}),
  };
  const github = {
    event_name: event.name, repository: event.repository, ref: event.ref, sha: event.sha, token: 'stand-in-github-token',
    run_id: runId, run_attempt: '1', server_url: 'https://github.com', api_url: options.githubApiUrl, event: eventPayload,
    ref_name: event.ref.replace(/^refs\/heads\//, ''), workflow: workflow.name, actor: 'rehearsal',
  };
  for (const id of order) {
    const job = workflow.jobs[id];
    const needs = [job.needs ?? []].flat().map(String);
    const needsResults = needs.flatMap((n) => results.get(n) ?? []);
    const needsOk = needsResults.every((r) => r.status === 'success');
    const needsContext = Object.fromEntries(needs.map((n) => {
      const rs = results.get(n) ?? [];
      const result = rs.some((r) => r.status === 'failure') ? 'failure' : rs.some((r) => r.status === 'cancelled') ? 'cancelled' : rs.every((r) => r.status === 'skipped') ? 'skipped' : 'success';
      return [n, { result, outputs: {} }];
    }));
    const base: ExpressionContext = {
      contexts: { github, inputs: event.inputs ?? {}, secrets: options.secrets, needs: needsContext, vars: {}, env: {}, runner: { os: 'Linux', temp: '' } },
      status: { success: needsOk && !options.cancel?.aborted, failure: needsResults.some((r) => r.status === 'failure'), cancelled: options.cancel?.aborted === true },
    };
    const jobResults: JobResult[] = [];
    for (const matrix of matrixOf(job.strategy, base)) {
      const ctx: ExpressionContext = { ...base, contexts: { ...base.contexts, matrix } };
      const jobName = job.name ? interpolate(String(job.name), ctx) : id;
      const environment = job.environment ? interpolate(String(typeof job.environment === 'object' ? job.environment.name : job.environment), ctx) : undefined;
      const result: JobResult = {
        id, name: jobName, ...(Object.keys(matrix).length ? { matrix } : {}), status: 'skipped', steps: [], ...(environment ? { environment } : {}),
        timeoutMinutes: Number(job['timeout-minutes'] ?? 360),
      };
      jobResults.push(result);
      if (!condition(job.if, ctx)) continue;
      if (environment && options.approve && !options.approve(environment)) {
        result.steps.push({ name: `approval for ${environment}`, status: 'failure', output: `deployment to ${environment} was rejected` });
        result.status = 'failure';
        continue;
      }
      await runJob(job, result, ctx, { ...options, event, github, artifacts, environment, workflowEnv: workflow.env ?? {}, file });
    }
    results.set(id, jobResults);
  }
  const all = [...results.values()].flat();
  const conclusion = options.cancel?.aborted ? 'cancelled' : all.some((j) => j.status === 'failure') ? 'failure' : 'success';
  return { workflow: name, conclusion, jobs: all };
}

function hash(text: string): number {
  let h = 0;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}

interface JobOptions extends RunnerOptions {
  event: GithubEvent;
  github: Json;
  artifacts: string;
  environment?: string;
  workflowEnv: Record<string, string>;
  file: string;
}

async function runJob(job: Json, result: JobResult, ctx: ExpressionContext, options: JobOptions): Promise<void> {
  const jobDir = fs.mkdtempSync(path.join(options.scratch, `${result.id}-`));
  const workspace = path.join(jobDir, 'workspace');
  const temp = path.join(jobDir, 'temp');
  fs.mkdirSync(workspace);
  fs.mkdirSync(temp);
  const summary = path.join(temp, 'step-summary.md');
  fs.writeFileSync(summary, '');
  const permissions = job.permissions ?? {};
  const jobEnvDeclared: Record<string, string> = {};
  const githubEnv: Record<string, string> = {};
  let failed = false;
  const cancelled = () => options.cancel?.aborted === true;
  let cancelledHere = false;
  const envContext = () => ({ ...interpolateEnv(options.workflowEnv, ctx), ...jobEnvDeclared, ...githubEnv });
  Object.assign(jobEnvDeclared, interpolateEnv(job.env ?? {}, { ...ctx, contexts: { ...ctx.contexts, env: interpolateEnv(options.workflowEnv, ctx) } }));
  for (const step of job.steps ?? []) {
    const stepCtx: ExpressionContext = {
      contexts: { ...ctx.contexts, env: envContext(), job: { status: cancelled() ? 'cancelled' : failed ? 'failure' : 'success' }, steps: {} },
      status: { success: !failed && !cancelled(), failure: failed, cancelled: cancelled() },
    };
    const stepName = step.name ? interpolate(String(step.name), stepCtx) : step.uses ?? String(step.run).split('\n')[0];
    if (!condition(step.if, stepCtx)) {
      result.steps.push({ name: stepName, status: 'skipped', output: '' });
      continue;
    }
    options.onStep?.(result.name, stepName);
    const stepEnv = { ...envContext(), ...interpolateEnv(step.env ?? {}, stepCtx) };
    const env: Record<string, string> = {
      ...options.baseEnv,
      CI: 'true', GITHUB_ACTIONS: 'true', HOME: jobDir, RUNNER_TEMP: temp, GITHUB_WORKSPACE: workspace, GITHUB_STEP_SUMMARY: summary,
      GITHUB_REPOSITORY: options.event.repository, GITHUB_SHA: options.event.sha, GITHUB_REF: options.event.ref, GITHUB_EVENT_NAME: options.event.name,
      GITHUB_RUN_ID: String(options.github.run_id), GITHUB_RUN_ATTEMPT: '1', GITHUB_SERVER_URL: 'https://github.com', GITHUB_API_URL: options.githubApiUrl,
      GITHUB_JOB: result.id, RUNNER_OS: 'Linux',
      ...stepEnv,
    };
    // A step that starts after the cancel (an always() one) is not cancelled itself.
    const cancel = cancelled() ? undefined : options.cancel;
    const outcome = step.uses
      ? await runAction(String(step.uses), interpolateEnv(step.with ?? {}, stepCtx), { ...options, cancel, workspace, env, permissions, githubEnv, result })
      : await runScript(interpolate(String(step.run), stepCtx), step.shell, workspace, temp, env, githubEnv, cancel);
    result.steps.push({ name: stepName, status: outcome.cancelled ? 'cancelled' : outcome.code === 0 ? 'success' : 'failure', output: outcome.output });
    if (outcome.cancelled) cancelledHere = true;
    else if (outcome.code !== 0 && !step['continue-on-error']) failed = true;
  }
  result.status = cancelledHere || (cancelled() && !failed) ? 'cancelled' : failed ? 'failure' : 'success';
}

function interpolateEnv(env: Record<string, unknown>, ctx: ExpressionContext): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(toText(v), ctx)]));
}

async function runScript(script: string, shell: string | undefined, cwd: string, temp: string, env: Record<string, string>, githubEnv: Record<string, string>, cancel?: AbortSignal): Promise<{ code: number; output: string; cancelled?: boolean }> {
  const file = path.join(temp, `step-${Date.now()}-${Math.random().toString(16).slice(2)}.sh`);
  fs.writeFileSync(file, script);
  const envFile = path.join(temp, `env-${path.basename(file)}`);
  fs.writeFileSync(envFile, '');
  // GitHub's default shell on Linux runners is `bash -e {0}`; `shell: bash` adds pipefail.
  const args = shell === 'bash' ? ['--noprofile', '--norc', '-eo', 'pipefail', file] : ['-e', file];
  if (shell && shell !== 'bash') return { code: 1, output: `the rehearsal runs only bash steps, not shell: ${shell}` };
  const outcome = await run('bash', args, { cwd, env: { ...env, GITHUB_ENV: envFile, GITHUB_OUTPUT: path.join(temp, 'output') }, cancel });
  for (const line of fs.readFileSync(envFile, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) githubEnv[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return outcome;
}

interface ActionOptions extends JobOptions {
  workspace: string;
  env: Record<string, string>;
  permissions: Record<string, string>;
  githubEnv: Record<string, string>;
  result: JobResult;
}

async function runAction(uses: string, inputs: Record<string, string>, options: ActionOptions): Promise<{ code: number; output: string; cancelled?: boolean }> {
  const action = uses.split('@')[0];
  switch (action) {
    case 'actions/checkout': {
      copyTree(options.repository, options.workspace);
      return { code: 0, output: `checked out ${options.event.sha}` };
    }
    case 'actions/setup-node':
      return { code: 0, output: `node ${process.version} is on the runner (asked for ${inputs['node-version'] ?? 'any'})` };
    case 'aws-actions/configure-aws-credentials': {
      if (options.permissions['id-token'] !== 'write') return { code: 1, output: 'Credentials could not be loaded: the job lacks the id-token: write permission, so no OIDC token is issued' };
      const sub = subjectClaim(options.event, options.environment);
      const webToken = token({ iss: 'https://token.actions.githubusercontent.com', aud: inputs.audience ?? 'sts.amazonaws.com', sub, repository: options.event.repository, ref: options.event.ref });
      const region = inputs['aws-region'] ?? '';
      const args = ['sts', 'assume-role-with-web-identity', '--region', region, '--role-arn', inputs['role-to-assume'] ?? '', '--role-session-name', inputs['role-session-name'] ?? 'GitHubActions',
        '--web-identity-token', webToken, '--duration-seconds', inputs['role-duration-seconds'] ?? '3600', '--output', 'json'];
      const env = { ...options.env };
      delete env.AWS_ACCESS_KEY_ID; delete env.AWS_SECRET_ACCESS_KEY; delete env.AWS_SESSION_TOKEN;
      const outcome = await run('aws', args, { cwd: options.workspace, env, cancel: options.cancel });
      if (outcome.cancelled) return outcome;
      if (outcome.code !== 0) return { code: 1, output: `Could not assume role with OIDC (token sub ${sub}): ${outcome.output}` };
      const credentials = JSON.parse(outcome.output.slice(outcome.output.indexOf('{'))).Credentials;
      Object.assign(options.githubEnv, {
        AWS_ACCESS_KEY_ID: credentials.AccessKeyId, AWS_SECRET_ACCESS_KEY: credentials.SecretAccessKey, AWS_SESSION_TOKEN: credentials.SessionToken,
        AWS_REGION: region, AWS_DEFAULT_REGION: region,
      });
      options.result.sessionSeconds = Number(inputs['role-duration-seconds'] ?? 3600);
      return { code: 0, output: `assumed ${inputs['role-to-assume']} as ${sub}` };
    }
    case 'actions/upload-artifact': {
      const source = path.join(options.workspace, inputs.path ?? '.');
      if (!fs.existsSync(source)) {
        const missing = inputs['if-no-files-found'] ?? 'warn';
        return { code: missing === 'error' ? 1 : 0, output: `no files at ${inputs.path}` };
      }
      fs.cpSync(source, path.join(options.artifacts, inputs.name ?? 'artifact'), { recursive: true });
      return { code: 0, output: `uploaded ${inputs.path} as ${inputs.name}` };
    }
    case 'actions/download-artifact': {
      const pattern = new RegExp(`^${(inputs.pattern ?? inputs.name ?? '*').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
      const target = path.join(options.workspace, inputs.path ?? '.');
      const names = fs.readdirSync(options.artifacts).filter((n) => pattern.test(n));
      for (const name of names) {
        const into = inputs['merge-multiple'] === 'true' || inputs.name ? target : path.join(target, name);
        fs.mkdirSync(into, { recursive: true });
        fs.cpSync(path.join(options.artifacts, name), into, { recursive: true });
      }
      return { code: 0, output: `downloaded ${names.join(', ') || 'nothing'}` };
    }
    default:
      return { code: 1, output: `the rehearsal has no stand-in for the action ${uses}` };
  }
}
