/**
 * The deploy rehearsal's scenarios (issue 15, item 3). Starting from empty accounts, they do in turn
 * what a team does (bootstrap as the README says, open a pull request, merge, release, roll back) by running
 * the generated workflows against the stand-in AWS, and checks the outcome AWS and GitHub would show.
 * A failure names the denied call or the failed step.
 */
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { Rehearsal, type EnvironmentPlan, type StackPlan } from './rehearsal';
import type { RunResult } from './runner/workflow';
import type { Call, Stack } from './aws/world';
import { failoverScenario } from './failover-scenario';

export interface ScenarioResult {
  scenario: string;
  ok: boolean;
  /** Why it failed: the denied calls, the failed step, the check that did not hold. */
  problems: string[];
  notApplicable?: string;
  /** What it cost: the AWS calls the stand-in answered, and the seconds it took. */
  cost?: { calls: number; seconds: number };
}

type Scenario = (r: Rehearsal, plan: EnvironmentPlan[]) => Promise<string[] | { notApplicable: string }>;

const PR_NUMBER = 7;

/** Facts about the accounts that no generated file creates: the team's DNS zone, and a first AMI per tier. */
function seedAccounts(r: Rehearsal, plan: EnvironmentPlan[]): void {
  const world = r.standIn.world;
  for (const environment of plan) {
    const account = world.account(environment.account);
    for (const [key, stacks] of Object.entries(environment.stacks)) {
      const region = Rehearsal.awsRegion(key);
      for (const stack of stacks) {
        for (const lookup of stack.lookups) {
          if (lookup.zone && !account.hostedZones.some((z) => z.name === `${lookup.zone}.`)) {
            account.hostedZones.push({ id: `Z0${account.hostedZones.length + 1}SEEDED${environment.account.slice(-4)}`, name: `${lookup.zone}.`, private: false });
          }
        }
        if (stack.imageParameter) {
          const state = world.region(environment.account, region);
          const image = `ami-0first${region.replace(/-/g, '')}`.slice(0, 21);
          state.images.set(image, { id: image, name: `${stack.tier}-first`, state: 'available' });
          if (!state.parameters.has(stack.imageParameter)) {
            state.parameters.set(stack.imageParameter, { name: stack.imageParameter, type: 'String', dataType: 'aws:ec2:image', versions: [{ version: 1, value: image, labels: [], modified: world.now() }] });
          }
        }
      }
    }
  }
}

/** Each rehearsal's accounts are bootstrapped once, by the first scenario that needs it. */
const bootstrapped = new WeakMap<Rehearsal, Promise<string[]>>();

/** The README's bootstrap commands, run as each account's administrator (once per rehearsal). */
function bootstrap(r: Rehearsal, plan: EnvironmentPlan[]): Promise<string[]> {
  const done = bootstrapped.get(r) ?? runBootstrap(r, plan);
  bootstrapped.set(r, done);
  return done;
}

async function runBootstrap(r: Rehearsal, plan: EnvironmentPlan[]): Promise<string[]> {
  const readme = fs.readFileSync(path.join(r.repository, r.layout.out, 'README.md'), 'utf8');
  const commands = readme.split('\n').filter((l) => /^aws cloudformation deploy .*bootstrap/.test(l.trim()));
  if (commands.length === 0) return ['the generated README gives no bootstrap command'];
  const problems: string[] = [];
  for (const environment of plan) {
    const command = commands.find((c) => c.includes(`/${environment.name}/bootstrap.yaml`));
    if (!command) { problems.push(`the README has no bootstrap command for ${environment.name}`); continue; }
    const result = await r.asAdmin(environment.account, command);
    if (result.code !== 0) problems.push(`bootstrap of ${environment.name} failed: ${result.output.trim().split('\n').slice(-3).join(' ')}`);
  }
  seedAccounts(r, plan);
  return problems;
}

function firstLines(text: string, n: number): string {
  return text.trim().split('\n').filter(Boolean).slice(0, n).join(' | ');
}

/** What went wrong in a run: each failed step with its errors and the calls denied during it. */
export function failures(r: Rehearsal, run: RunResult): string[] {
  const problems: string[] = [];
  const denials = r.denials();
  for (const job of run.jobs) {
    if (job.sessionSeconds !== undefined && job.timeoutMinutes !== undefined && job.sessionSeconds < job.timeoutMinutes * 60) {
      problems.push(`${run.workflow} › ${job.name}: the job may run ${job.timeoutMinutes} minutes, but its AWS session lasts ${job.sessionSeconds / 60} minutes`);
    }
    for (const step of job.steps.filter((s) => s.status === 'failure')) {
      const errors = step.output.split('\n').filter((l) => /::error|error occurred|Error|denied|not authorized/i.test(l)).map((l) => l.trim());
      const denied = denials.filter((d) => d.where?.workflow === run.workflow && d.where.job === job.name && d.where.step === step.name);
      const deniedText = [...new Set(denied.map((d) => `${d.action} on ${d.resource} (${d.caller.split('/').slice(-2, -1)[0] ?? d.caller})`))];
      problems.push(`${run.workflow} › ${job.name} › "${step.name}" failed` +
        (deniedText.length ? `; denied: ${deniedText.join(', ')}` : '') +
        `: ${firstLines(errors.join('\n') || step.output.split('\n').slice(-4).join('\n'), 3).slice(0, 600)}`);
    }
  }
  return problems;
}

function stack(r: Rehearsal, account: string, key: string, name: string): Stack | undefined {
  return r.standIn.world.region(account, Rehearsal.awsRegion(key)).stacks.find((s) => s.name === name && s.status !== 'DELETE_COMPLETE');
}

function allStacks(plan: EnvironmentPlan[]): { environment: EnvironmentPlan; key: string; stack: StackPlan }[] {
  return plan.flatMap((environment) => Object.entries(environment.stacks).flatMap(([key, stacks]) => stacks.map((s) => ({ environment, key, stack: s }))));
}

/** A push to the deploying branch, every deployment approved; each environment must ask for one approval per run. */
async function deploy(r: Rehearsal, options: { secrets?: Record<string, string> } = {}): Promise<{ run: RunResult; problems: string[] }> {
  const ref = `refs/heads/${r.branch()}`;
  const asked = new Map<string, number>();
  const approve = (environment: string) => { asked.set(environment, (asked.get(environment) ?? 0) + 1); return true; };
  const run = await r.run('gantry-deploy.yml', { name: 'push', ref }, { approve, ...options });
  const ran = run.jobs.some((j) => j.status !== 'skipped');
  const twice = [...asked].filter(([, count]) => count > 1).map(([environment, count]) => `gantry-deploy.yml asked for ${count} approvals of ${environment} in one run`);
  return { run, problems: [...failures(r, run), ...twice, ...(ran ? [] : [`gantry-deploy.yml ran no job for a push to ${ref}`])] };
}

/**
 * Every stack of the plan exists in a state that runs what it should. UPDATE_ROLLBACK_COMPLETE counts:
 * a stack whose last update (an earlier failed release) was rolled back runs its previous template,
 * and a deploy that finds nothing to change in it leaves it so; a deploy that failed on it says so.
 */
function deployedEverywhere(r: Rehearsal, plan: EnvironmentPlan[]): string[] {
  return allStacks(plan).flatMap(({ environment, key, stack: s }) => {
    const found = stack(r, environment.account, key, s.stackName);
    if (!found) return [`${s.stackName} (${environment.name} ${key}) was never deployed`];
    if (!/^(CREATE|UPDATE|UPDATE_ROLLBACK)_COMPLETE$/.test(found.status)) {
      const failed = found.events.filter((e) => e.ResourceStatus.endsWith('_FAILED')).map((e) => `${e.LogicalResourceId}: ${e.ResourceStatusReason}`);
      return [`${s.stackName} (${environment.name} ${key}) is ${found.status}${failed.length ? `: ${failed[0]}` : ''}`];
    }
    return [];
  });
}

async function firstDeploy(r: Rehearsal, plan: EnvironmentPlan[]): Promise<string[]> {
  const problems = await bootstrap(r, plan);
  if (problems.length) return problems;
  const { problems: failed } = await deploy(r);
  return [...failed, ...deployedEverywhere(r, plan)];
}

/** Anything of gantry's in progress left in any account and region: its change sets, empty REVIEW_IN_PROGRESS stacks. */
function leftAnywhere(r: Rehearsal): string[] {
  const problems: string[] = [];
  for (const account of r.standIn.world.accounts.values()) {
    for (const [region, state] of account.regions) {
      for (const s of state.stacks.filter((x) => x.status !== 'DELETE_COMPLETE')) {
        if (s.status === 'REVIEW_IN_PROGRESS') problems.push(`${s.name} (${account.id} ${region}) is left in REVIEW_IN_PROGRESS`);
        const open = [...s.changeSets.values()].filter((c) => c.name.startsWith('gantry-')).map((c) => c.name);
        if (open.length) problems.push(`${s.name} (${account.id} ${region}) keeps change set ${open.join(', ')}`);
      }
    }
  }
  return problems;
}

/**
 * Someone cancels the deploy workflow while it creates change sets: in a plan job of the first deploy
 * (the stacks do not exist yet, so it plans them under review names), then in the deploy job (which
 * creates the first stack through a CREATE change set). The cancel lands the moment the stand-in has
 * made a change set, before its answer reaches the script. Afterwards the run is cancelled, and no
 * account holds a change set of gantry's or an empty REVIEW_IN_PROGRESS stack: the job's clean-up step
 * (`if: always()`) deleted them. The deploy that follows (first-deploy) starts from empty accounts.
 */
async function cancelledRun(r: Rehearsal, plan: EnvironmentPlan[]): Promise<string[]> {
  const problems = await bootstrap(r, plan);
  if (problems.length) return problems;
  for (const role of ['gh-plan', 'gh-deploy']) {
    const controller = new AbortController();
    const byRole = new RegExp(`/[^/]*-${role}/`);
    const listener = (call: Call) => {
      if (call.service === 'cloudformation' && call.action === 'CreateChangeSet' && byRole.test(call.caller)) controller.abort();
    };
    r.standIn.world.answered.push(listener);
    let run: RunResult;
    try {
      run = await r.run('gantry-deploy.yml', { name: 'push', ref: `refs/heads/${r.branch()}` }, { approve: () => true, cancel: controller.signal });
    } finally {
      r.standIn.world.answered.splice(r.standIn.world.answered.indexOf(listener), 1);
    }
    if (!controller.signal.aborted) { problems.push(`no ${role} job created a change set, so nothing was cancelled`, ...failures(r, run)); continue; }
    const where = `cancelled in a ${role} job`;
    if (run.conclusion !== 'cancelled') problems.push(`${where}: the run concluded ${run.conclusion}, not cancelled`);
    const stopped = run.jobs.filter((j) => j.steps.some((step) => step.status === 'cancelled'));
    if (stopped.length === 0) problems.push(`${where}: no step was running when the run was cancelled`);
    for (const job of stopped) {
      const cleanup = job.steps.find((step) => /clean up/i.test(step.name));
      if (cleanup?.status !== 'success') problems.push(`${where}: ${job.name}'s clean-up step ${cleanup ? `ended ${cleanup.status}: ${firstLines(cleanup.output, 3)}` : 'is missing'}`);
    }
    problems.push(...failures(r, run).map((p) => `${where}: ${p}`), ...leftAnywhere(r).map((p) => `${where}: ${p}`));
  }
  return problems;
}

async function pullRequest(r: Rehearsal, headRepository: string, changedFiles?: string[]): Promise<RunResult> {
  return r.run('gantry-pull-request.yml', {
    name: 'pull_request', ref: `refs/pull/${PR_NUMBER}/merge`,
    pullRequest: { number: PR_NUMBER, headRepository, headRef: 'feature/change', baseRef: r.branch() },
    ...(changedFiles ? { changedFiles } : {}),
  });
}

/**
 * A pull request that edits only a generated script (the workflows run it; gantry check must catch
 * the edit): the workflow's path filter lets it run, `gantry check` fails naming the script, and no
 * change set is planned. A pull request that changes nothing gantry reads does not run it at all.
 */
async function prScriptEdit(r: Rehearsal): Promise<string[]> {
  const script = path.posix.join(r.layout.workflows, 'gantry-plan.sh');
  const file = path.join(r.repository, script);
  const original = fs.readFileSync(file, 'utf8');
  const problems: string[] = [];
  const before = r.standIn.world.calls.length;
  try {
    fs.writeFileSync(file, `${original}echo "a hand edit"\n`);
    const run = await pullRequest(r, r.repository_name(), [script]);
    const check = run.jobs.find((j) => j.id === 'check');
    if (run.conclusion === 'skipped') problems.push(`a pull request that edits only ${script} does not run gantry-pull-request.yml (its paths filter leaves the script out)`);
    else if (check?.status !== 'failure') problems.push(`gantry check ${check ? `ended ${check.status}` : 'did not run'} on a pull request that edits ${script} by hand`);
    else if (!check.steps.some((step) => step.status === 'failure' && step.output.includes('gantry-plan.sh'))) problems.push(`gantry check failed without naming ${script}: ${firstLines(check.steps.map((st) => st.output).join('\n'), 3)}`);
    if (r.standIn.world.calls.length > before) problems.push(`a pull request whose generated files are not current made ${r.standIn.world.calls.length - before} AWS calls`);
  } finally {
    fs.writeFileSync(file, original);
  }
  const unrelated = await pullRequest(r, r.repository_name(), ['docs/notes.md']);
  if (unrelated.conclusion !== 'skipped') problems.push('a pull request that changes only docs/notes.md runs gantry-pull-request.yml');
  return problems;
}

function commentProblems(r: Rehearsal, plan: EnvironmentPlan[]): string[] {
  const comments = r.standIn.comments.filter((c) => c.issue === PR_NUMBER);
  if (comments.length !== 1) return [`the pull request has ${comments.length} gantry comments, not one`];
  const body = comments[0]?.body ?? '';
  return allStacks(plan).filter(({ stack: s }) => !body.includes(s.stackName)).map(({ environment, key, stack: s }) => `the comment does not mention ${s.stackName} (${environment.name} ${key})`);
}

async function prFromBranch(r: Rehearsal, plan: EnvironmentPlan[]): Promise<string[]> {
  const problems = await bootstrap(r, plan);
  if (problems.length) return problems;
  const run = await pullRequest(r, r.repository_name());
  return [...failures(r, run), ...commentProblems(r, plan), ...leftAnywhere(r)];
}

async function prFromFork(r: Rehearsal, plan: EnvironmentPlan[]): Promise<string[]> {
  const problems = await bootstrap(r, plan);
  if (problems.length) return problems;
  const before = r.standIn.world.calls.length;
  const run = await pullRequest(r, 'someone/fork');
  const calls = r.standIn.world.calls.slice(before);
  const check = run.jobs.find((j) => j.id === 'check');
  return [
    ...failures(r, run),
    ...(check?.status === 'success' ? [] : ['the check job did not run for the fork']),
    ...(calls.length ? [`a pull request from a fork made ${calls.length} AWS calls, e.g. ${calls[0]?.service}:${calls[0]?.action}`] : []),
    ...(r.standIn.comments.length ? ['a pull request from a fork got a comment written with AWS data'] : []),
  ];
}

/**
 * What slack-down found in second-push's deploy: a push with no change is also the deploy that runs
 * with Slack failing, where the deploy workflow reports to Slack, so no source deploys twice for the two.
 */
const slackDownSeen = new WeakMap<Rehearsal, string[]>();

async function secondPush(r: Rehearsal, plan: EnvironmentPlan[]): Promise<string[]> {
  const updated = (s: Stack | undefined) => `${s?.status}/${s?.lastUpdatedTime}/${s?.events.length}`;
  const before = allStacks(plan).map(({ environment, key, stack: s }) => updated(stack(r, environment.account, key, s.stackName)));
  const { problems } = usesSlack(r, 'gantry-deploy.yml') ? await deployWithSlackDown(r, plan) : await deploy(r);
  const after = allStacks(plan).map(({ environment, key, stack: s }) => updated(stack(r, environment.account, key, s.stackName)));
  const changed = allStacks(plan).filter((_, i) => before[i] !== after[i]).map(({ stack: s }) => `${s.stackName} was updated by a push with no change`);
  return [...problems, ...changed];
}

/** A deploy while the Slack webhook answers 500: it must stay green and deploy every environment. */
async function deployWithSlackDown(r: Rehearsal, plan: EnvironmentPlan[]): Promise<{ problems: string[] }> {
  r.standIn.slackDown = true;
  try {
    const { run, problems: failed } = await deploy(r, { secrets: { SLACK_WEBHOOK_URL: `${r.standIn.url}/slack` } });
    const problems = [...(run.conclusion === 'success' ? [] : ['a failing Slack webhook turned the deploy red']), ...failed, ...deployedEverywhere(r, plan)];
    slackDownSeen.set(r, problems);
    return { problems };
  } finally {
    r.standIn.slackDown = false;
  }
}

/** The environment to release in: the one with the most regions that has a tier. */
function releaseTarget(plan: EnvironmentPlan[]): { environment: EnvironmentPlan; tier: string } | undefined {
  const candidates = plan.map((environment) => ({ environment, tier: environment.stacks[environment.regions[0] ?? '']?.find((s) => s.tier)?.tier }))
    .filter((c): c is { environment: EnvironmentPlan; tier: string } => Boolean(c.tier));
  return candidates.sort((a, b) => b.environment.regions.length - a.environment.regions.length)[0];
}

function imageState(r: Rehearsal, environment: EnvironmentPlan, tier: string): { region: string; parameter?: string; deployed?: string; stackStatus?: string }[] {
  return environment.regions.map((region) => {
    const s = environment.stacks[region]?.find((x) => x.tier === tier);
    const state = r.standIn.world.region(environment.account, region);
    const parameter = s?.imageParameter ? state.parameters.get(s.imageParameter) : undefined;
    const deployed = s ? stack(r, environment.account, region, s.stackName) : undefined;
    return {
      region, parameter: parameter?.versions[parameter.versions.length - 1]?.value,
      deployed: deployed?.parameters.find((p) => p.ResolvedValue !== undefined)?.ResolvedValue, stackStatus: deployed?.status,
    };
  });
}

function newImage(r: Rehearsal, environment: EnvironmentPlan, name: string, healthy: boolean): string {
  const primary = environment.regions[0] as string;
  // Unique per image, as AWS's are: the scenarios share one account, and each bakes its own.
  const serial = String(r.standIn.world.region(environment.account, primary).images.size).padStart(4, '0');
  const id = `ami-0${name}${'0'.repeat(16)}`.slice(0, 17) + serial;
  r.standIn.world.region(environment.account, primary).images.set(id, { id, name, state: 'available' });
  if (!healthy) r.standIn.world.unhealthyImages.add(id);
  return id;
}

async function release(r: Rehearsal, environment: EnvironmentPlan, tier: string, ami: string, workflow = 'gantry-release.yml', instance = ''): Promise<RunResult> {
  return r.run(workflow, { name: 'workflow_dispatch', inputs: { environment: environment.name, tier, ami, instance } }, { approve: () => true });
}

/** Copies of a bad AMI are unhealthy too (the stand-in's CopyImage also sees to it for copies made later). */
function taintCopies(r: Rehearsal, environment: EnvironmentPlan, bad: string): void {
  for (const region of environment.regions) {
    for (const image of r.standIn.world.region(environment.account, region).images.values()) {
      if (image.id === bad || image.source === bad) r.standIn.world.unhealthyImages.add(image.id);
    }
  }
}

async function releaseScenario(r: Rehearsal, plan: EnvironmentPlan[]): Promise<string[] | { notApplicable: string }> {
  const target = releaseTarget(plan);
  if (!target) return { notApplicable: 'the spec has no tier' };
  const ami = newImage(r, target.environment, 'release', true);
  const run = await release(r, target.environment, target.tier, ami);
  const problems = failures(r, run);
  for (const state of imageState(r, target.environment, target.tier)) {
    const image = state.parameter ? r.standIn.world.region(target.environment.account, state.region).images.get(state.parameter) : undefined;
    // The released image in its region, or its copy in the others (the copy's name is the release's own).
    if (!image || (image.id !== ami && image.source !== ami)) problems.push(`${state.region}: the AMI parameter holds ${state.parameter}, not the released image ${ami} or a copy of it`);
    if (state.deployed !== state.parameter) problems.push(`${state.region}: the ${target.tier} stack runs ${state.deployed}, not the released ${state.parameter} (the release rolled nothing)`);
  }
  return problems;
}

/** A release of an AMI id that names no image (a typo, a deregistered image) must go red, not green. */
async function releaseMissingImage(r: Rehearsal, plan: EnvironmentPlan[]): Promise<string[] | { notApplicable: string }> {
  const target = releaseTarget(plan);
  if (!target) return { notApplicable: 'the spec has no tier' };
  const before = imageState(r, target.environment, target.tier);
  const run = await release(r, target.environment, target.tier, 'ami-0123456789abcdef0');
  const problems: string[] = [];
  if (run.conclusion !== 'failure') problems.push('the release of ami-0123456789abcdef0, which does not exist, went green');
  imageState(r, target.environment, target.tier).forEach((state, i) => {
    if (state.deployed !== before[i]?.deployed) problems.push(`${state.region}: the stack runs ${state.deployed}, not ${before[i]?.deployed}`);
  });
  return problems;
}

async function failingRelease(r: Rehearsal, plan: EnvironmentPlan[]): Promise<string[] | { notApplicable: string }> {
  const target = releaseTarget(plan);
  if (!target) return { notApplicable: 'the spec has no tier' };
  const good = await release(r, target.environment, target.tier, newImage(r, target.environment, 'good', true));
  if (good.conclusion !== 'success') return failures(r, good).map((p) => `good release: ${p}`);
  const before = imageState(r, target.environment, target.tier);
  const bad = newImage(r, target.environment, 'bad', false);
  taintCopies(r, target.environment, bad);
  const run = await release(r, target.environment, target.tier, bad);
  taintCopies(r, target.environment, bad);
  const problems: string[] = [];
  if (run.conclusion !== 'failure') problems.push('the release of an image that fails its health check went green');
  const primary = target.environment.regions[0] as string;
  const tierStack = target.environment.stacks[primary]?.find((s) => s.tier === target.tier);
  const status = tierStack ? stack(r, target.environment.account, primary, tierStack.stackName)?.status : undefined;
  if (status !== 'UPDATE_ROLLBACK_COMPLETE') problems.push(`${tierStack?.stackName} in ${primary} is ${status}, not rolled back`);
  const after = imageState(r, target.environment, target.tier);
  after.forEach((state, i) => {
    if (state.deployed !== before[i]?.deployed) problems.push(`${state.region}: the stack runs ${state.deployed} after the failed release, not ${before[i]?.deployed}`);
  });
  return problems;
}

async function rollback(r: Rehearsal, plan: EnvironmentPlan[]): Promise<string[] | { notApplicable: string }> {
  const target = releaseTarget(plan);
  if (!target) return { notApplicable: 'the spec has no tier' };
  const good = await release(r, target.environment, target.tier, newImage(r, target.environment, 'good', true));
  if (good.conclusion !== 'success') return failures(r, good).map((p) => `good release: ${p}`);
  const lastGood = imageState(r, target.environment, target.tier);
  const bad = newImage(r, target.environment, 'bad', false);
  taintCopies(r, target.environment, bad);
  await release(r, target.environment, target.tier, bad);
  const run = await release(r, target.environment, target.tier, '', 'gantry-rollback.yml');
  const problems = failures(r, run);
  imageState(r, target.environment, target.tier).forEach((state, i) => {
    if (state.deployed !== lastGood[i]?.deployed || state.parameter !== lastGood[i]?.parameter) {
      problems.push(`${state.region}: after the rollback the parameter holds ${state.parameter} and the stack runs ${state.deployed}; the last AMI that succeeded is ${lastGood[i]?.deployed}`);
    }
  });
  return problems;
}

/**
 * A release baked from a build instance. One whose image fails (a volume that cannot be
 * snapshotted) must go red at once, naming the reason, and change nothing in any region: the wait
 * for the image stops when the image has failed, not at the job's timeout. One from an instance of
 * an Auto Scaling group is refused before any image is made. A good one is released everywhere.
 */
async function releaseBaked(r: Rehearsal, plan: EnvironmentPlan[]): Promise<string[] | { notApplicable: string }> {
  const target = releaseTarget(plan);
  if (!target) return { notApplicable: 'the spec has no tier' };
  const { environment, tier } = target;
  const world = r.standIn.world;
  const instances = world.region(environment.account, environment.regions[0] as string).instances;
  const problems: string[] = [];
  const before = JSON.stringify(imageState(r, environment, tier));
  const calls = (action: string, since: number) => world.calls.slice(since).filter((c) => c.action === action).length;

  instances.set('i-0b0a0d0b0a0d00001', { id: 'i-0b0a0d0b0a0d00001', state: 'stopped', tags: [], imagesFail: 'Snapshot creation failed: the volume is in an error state' });
  let since = world.calls.length;
  const failed = await release(r, environment, tier, '', 'gantry-release.yml', 'i-0b0a0d0b0a0d00001');
  const output = failed.jobs.flatMap((j) => j.steps.map((st) => st.output)).join('\n');
  if (failed.conclusion !== 'failure') problems.push(`a release baked into a failed image concluded ${failed.conclusion}`);
  if (!output.includes('the volume is in an error state')) problems.push('the failed release does not say why the image failed');
  if (calls('DescribeImages', since) > 3) problems.push(`the release asked for the failed image ${calls('DescribeImages', since)} times (it waits on after the image failed)`);
  if (JSON.stringify(imageState(r, environment, tier)) !== before) problems.push('a release whose image failed changed an AMI parameter or a stack');

  instances.set('i-0a5a5a5a5a5a00002', { id: 'i-0a5a5a5a5a5a00002', state: 'running', tags: [{ Key: 'aws:autoscaling:groupName', Value: `${tier}-group` }] });
  since = world.calls.length;
  const serving = await release(r, environment, tier, '', 'gantry-release.yml', 'i-0a5a5a5a5a5a00002');
  if (serving.conclusion !== 'failure' || calls('CreateImage', since) > 0) problems.push('a release baked from an instance of an Auto Scaling group was not refused before baking');

  instances.set('i-0600d0600d0600003', { id: 'i-0600d0600d0600003', state: 'running', tags: [] });
  since = world.calls.length;
  const good = await release(r, environment, tier, '', 'gantry-release.yml', 'i-0600d0600d0600003');
  problems.push(...failures(r, good).map((p) => `the good bake: ${p}`));
  const baked = world.calls.slice(since).some((c) => c.action === 'CreateImage' && !c.error);
  if (!baked) problems.push('the good bake made no image');
  for (const state of imageState(r, environment, tier)) {
    const image = state.parameter ? world.region(environment.account, state.region).images.get(state.parameter) : undefined;
    if (!image || !/0cafe0000$/.test(image.source ?? image.id)) problems.push(`${state.region}: after the good bake the AMI parameter holds ${state.parameter}, not the baked image or a copy of it`);
    if (state.deployed !== state.parameter) problems.push(`${state.region}: the ${tier} stack runs ${state.deployed}, not the baked ${state.parameter}`);
  }
  return problems;
}

async function drift(r: Rehearsal, plan: EnvironmentPlan[]): Promise<string[]> {
  const environment = plan[0] as EnvironmentPlan;
  const key = environment.regions[0] as string;
  const target = environment.stacks[key]?.[0] as StackPlan;
  const deployed = stack(r, environment.account, key, target.stackName);
  const resource = [...(deployed?.resources.values() ?? [])].find((x) => x.type === 'AWS::EC2::SecurityGroup') ?? [...(deployed?.resources.values() ?? [])][0];
  if (!resource) return [`${target.stackName} has no resource to change`];
  r.standIn.world.changedOutOfBand.add(resource.physicalId);
  const run = await r.run('gantry-drift.yml', { name: 'schedule', ref: `refs/heads/${r.branch()}` }, { secrets: { SLACK_WEBHOOK_URL: `${r.standIn.url}/slack` } });
  const problems: string[] = [];
  const output = run.jobs.flatMap((j) => j.steps.map((s) => s.output)).join('\n');
  if (!output.includes(target.stackName)) problems.push(`the drift run does not name ${target.stackName}`);
  if (run.conclusion !== 'failure') problems.push(`the drift run went green although ${resource.logicalId} of ${target.stackName} drifted`);
  if (usesSlack(r, 'gantry-drift.yml') && !r.standIn.slackMessages.some((m) => /drift/i.test(m) && !m.includes(':white_check_mark:'))) problems.push('no Slack message reports the drift');
  const unexpected = failures(r, run).filter((p) => !p.includes(target.stackName) && !/drift/.test(p.split('›')[2] ?? ''));
  const denied = r.denials().filter((d) => d.where?.workflow === 'gantry-drift.yml');
  return [...problems, ...unexpected, ...denied.map((d) => `denied during drift detection: ${d.action} on ${d.resource}`)];
}

/** Whether a workflow reports to Slack (the spec configures a Slack channel). */
function usesSlack(r: Rehearsal, workflow: string): boolean {
  return fs.readFileSync(path.join(r.repository, r.layout.workflows, workflow), 'utf8').includes('SLACK_WEBHOOK_URL');
}

/** A failing Slack webhook never fails the deploy nor stops later environments (seen in second-push's deploy when both run). */
async function slackDown(r: Rehearsal, plan: EnvironmentPlan[]): Promise<string[] | { notApplicable: string }> {
  if (!usesSlack(r, 'gantry-deploy.yml')) return { notApplicable: 'the deploy workflow does not report to Slack' };
  return slackDownSeen.get(r) ?? (await deployWithSlackDown(r, plan)).problems;
}

/**
 * A spec change that replaces a resource: the budget's alerts (a change of its notifications replaces
 * it) or, without a budget, a tier's port (its target group's port is create-only). The pull request
 * comment must warn of the replacement before anything else, and the deploy must carry it out.
 */
async function replaceResource(r: Rehearsal, plan: EnvironmentPlan[]): Promise<string[] | { notApplicable: string }> {
  const specFile = path.join(r.repository, r.layout.spec);
  const spec = yaml.load(fs.readFileSync(specFile, 'utf8')) as { budget?: { alertAtPercent?: number[] }; tiers?: Record<string, { port?: number }> };
  let type: string;
  if (spec.budget) {
    spec.budget.alertAtPercent = [...(spec.budget.alertAtPercent ?? []).filter((p) => p !== 95), 95].sort((a, b) => a - b);
    type = 'AWS::Budgets::Budget';
  } else {
    const tier = Object.values(spec.tiers ?? {})[0];
    if (!tier) return { notApplicable: 'the spec has neither a budget nor a tier' };
    tier.port = (tier.port ?? 80) + 1;
    type = 'AWS::ElasticLoadBalancingV2::TargetGroup';
  }
  fs.writeFileSync(specFile, yaml.dump(spec));
  try {
    await r.generate();
  } catch (error) {
    return [`gantry cannot generate the changed spec: ${String(error).slice(0, 300)}`];
  }
  const pr = await pullRequest(r, r.repository_name());
  const problems = failures(r, pr);
  const body = r.standIn.comments.find((c) => c.issue === PR_NUMBER)?.body ?? '';
  const warning = body.indexOf('> [!WARNING]');
  const replaced = body.split('\n').filter((l) => l.startsWith('> - ') && l.includes(`(${type})`) && /Replace/.test(l));
  if (warning < 0 || replaced.length === 0) problems.push(`the PR comment does not warn that a ${type} is replaced`);
  else if (body.indexOf('\n### ') >= 0 && body.indexOf('\n### ') < warning) problems.push('the PR comment lists the replacement after the stacks\' changes, not first');
  const { problems: failed } = await deploy(r);
  problems.push(...failed, ...deployedEverywhere(r, plan));
  const replacedInAws = allStacks(plan).some(({ environment, key, stack: s }) => stack(r, environment.account, key, s.stackName)?.events
    .some((e) => e.ResourceType === type && /creation of a new physical resource/.test(e.ResourceStatusReason ?? '')));
  if (!replacedInAws) problems.push(`no ${type} was replaced by the deploy`);
  return problems;
}

async function tierRemoved(r: Rehearsal, plan: EnvironmentPlan[]): Promise<string[] | { notApplicable: string }> {
  const specFile = path.join(r.repository, r.layout.spec);
  const original = fs.readFileSync(specFile, 'utf8');
  const spec = yaml.load(original) as {
    tiers?: Record<string, { from?: string[] }>; database?: { clients?: string[] }; edge?: { api?: { tier?: string } };
  };
  // The last tier the edge does not route to; the team removes it and what names it (callers, database clients).
  const tiers = Object.keys(spec.tiers ?? {});
  if (tiers.length < 2) return { notApplicable: 'the spec has one tier' };
  const removed = [...tiers].reverse().find((t) => t !== spec.edge?.api?.tier) as string;
  delete spec.tiers?.[removed];
  for (const tier of Object.values(spec.tiers ?? {})) if (tier.from) tier.from = tier.from.filter((t) => t !== removed);
  // An emptied list stays (no tier connects): dropping it would let every remaining tier connect.
  if (spec.database?.clients) spec.database.clients = spec.database.clients.filter((t) => t !== removed);
  fs.writeFileSync(specFile, yaml.dump(spec));
  try {
    await r.generate();
  } catch (error) {
    fs.writeFileSync(specFile, original);
    return [`gantry cannot generate the spec without tier ${removed}: ${String(error).slice(0, 300)}`];
  }
  const gone = allStacks(plan).filter(({ stack: s }) => s.tier === removed);
  const strangers = addStrangers(r, plan);
  const pr = await pullRequest(r, r.repository_name());
  const problems = failures(r, pr);
  const body = r.standIn.comments.find((c) => c.issue === PR_NUMBER)?.body ?? '';
  // Listed first: in the caution block above every environment's section.
  const caution = body.slice(0, body.indexOf('\n### '));
  for (const { stack: s } of gone) if (!caution.includes(`**Delete** ${s.stackName} `)) problems.push(`the PR comment does not list ${s.stackName} for deletion first`);
  for (const stranger of strangers) if (body.includes(stranger.name)) problems.push(`the PR comment names ${stranger.name}, a stack that is not gantry's (${stranger.why})`);
  problems.push(...await refusedUnprotects(r, gone));
  const { problems: failed } = await deploy(r);
  problems.push(...failed);
  for (const { environment, key, stack: s } of gone) {
    const deleted = r.standIn.world.region(environment.account, Rehearsal.awsRegion(key)).stacks.find((x) => x.name === s.stackName);
    if (stack(r, environment.account, key, s.stackName)) {
      problems.push(`${s.stackName} (${environment.name} ${key}) still exists after the deploy: ${deleted?.status} ${deleted?.statusReason ?? ''}`);
      continue;
    }
    // A protected stack loses its protection first (its load balancer or DB instance refuses deletion otherwise).
    const protectedOnce = s.lookups.some((l) => l.lookup === 'deletion-protection');
    if (protectedOnce && deleted?.parameters.find((x) => x.ParameterKey === 'DeletionProtection')?.ParameterValue !== 'false') {
      problems.push(`${s.stackName} was deleted without turning its deletion protection off first`);
    }
    // After the stacks that used it were updated (the deploy of every target comes first).
    const updated = allStacks([environment]).filter((x) => x.stack.tier !== removed)
      .map((x) => stack(r, environment.account, x.key, x.stack.stackName)).filter((x): x is Stack => Boolean(x?.lastUpdatedTime));
    const late = updated.filter((x) => (x.lastUpdatedTime as string) > (deleted?.deletionTime ?? ''));
    if (late.length > 0) problems.push(`${s.stackName} was deleted before ${late.map((x) => x.name).join(', ')} stopped using it`);
  }
  for (const stranger of strangers) {
    const found = r.standIn.world.region(stranger.account, stranger.region).stacks.find((x) => x.name === stranger.name);
    if (found?.status !== 'CREATE_COMPLETE') problems.push(`the deploy touched ${stranger.name}, a stack that is not gantry's (${stranger.why}): it is ${found?.status ?? 'gone'}`);
  }
  return problems;
}

/**
 * The deploy must refuse to delete a protected stack it cannot unprotect safely, say how to do it by
 * hand, and delete nothing of it: once while the stack is UPDATE_ROLLBACK_FAILED (no update can turn
 * the protection off), once while its tier's AMI parameter holds a newer image (the unprotect update
 * would also roll the instances about to be deleted). Each is undone before the next deploy.
 */
async function refusedUnprotects(r: Rehearsal, gone: { environment: EnvironmentPlan; key: string; stack: StackPlan }[]): Promise<string[]> {
  const target = gone.find(({ stack: s }) => s.lookups.some((l) => l.lookup === 'deletion-protection'));
  if (!target) return [];
  const { environment, key, stack: s } = target;
  const world = r.standIn.world;
  const problems: string[] = [];
  const refused = async (what: string, expected: RegExp) => {
    const { run } = await deploy(r);
    const errors = run.jobs.flatMap((j) => j.steps.filter((st) => st.status === 'failure').map((st) => st.output)).join('\n');
    if (run.conclusion !== 'failure' || !expected.test(errors)) problems.push(`${what}: the deploy ${run.conclusion === 'failure' ? `failed without saying ${expected}` : 'went green'}`);
    if (!stack(r, environment.account, key, s.stackName)) problems.push(`${what}: the deploy deleted ${s.stackName} anyway`);
  };
  const found = stack(r, environment.account, key, s.stackName);
  if (!found) return [`${s.stackName} is gone before its deletion was approved`];
  const status = found.status;
  found.status = 'UPDATE_ROLLBACK_FAILED';
  await refused(`${s.stackName} UPDATE_ROLLBACK_FAILED and protected`, /no update can turn its deletion protection off/);
  found.status = status;
  const parameter = s.imageParameter ? world.region(environment.account, Rehearsal.awsRegion(key)).parameters.get(s.imageParameter) : undefined;
  const current = parameter?.versions[parameter.versions.length - 1];
  if (parameter && current) {
    const newer = newImage(r, environment, 'newer', true);
    parameter.versions.push({ version: current.version + 1, value: newer, labels: [], modified: world.now() });
    await refused(`${s.stackName} with a newer AMI in ${s.imageParameter}`, /unprotecting it would change more/);
    parameter.versions.push({ version: current.version + 2, value: current.value, labels: [], modified: world.now() });
  }
  return problems;
}

/**
 * Stacks that are not gantry's, beside an environment's: one with its name prefix but none of its
 * tags (a team's own), one with gantry's tags of another environment. Nothing may list or delete them.
 */
function addStrangers(r: Rehearsal, plan: EnvironmentPlan[]): { account: string; region: string; name: string; why: string }[] {
  return plan.flatMap((environment) => {
    const region = environment.regions[0] as string;
    const sample = environment.stacks[region]?.[0]?.stackName ?? '';
    const prefix = sample.slice(0, sample.lastIndexOf('-') + 1);
    const project = prefix.slice(0, -(environment.name.length + 2));
    const strangers = [
      { name: `${prefix}handmade`, tags: [], why: 'its name has the prefix, but it has no gantry tags' },
      { name: `${prefix}other-env`, tags: [{ Key: 'gantry:project', Value: project }, { Key: 'gantry:environment', Value: `${environment.name}x` }], why: 'it is tagged for another environment' },
    ];
    const stacks = r.standIn.world.region(environment.account, region).stacks;
    for (const stranger of strangers) {
      stacks.push({
        name: stranger.name, id: `arn:aws:cloudformation:${region}:${environment.account}:stack/${stranger.name}/0`, status: 'CREATE_COMPLETE',
        parameters: [], resources: new Map(), outputs: [], capabilities: [], events: [], changeSets: new Map(), tags: stranger.tags, imports: [],
        creationTime: r.standIn.world.now(),
      });
    }
    return strangers.map((s) => ({ account: environment.account, region, name: s.name, why: s.why }));
  });
}

/** What the origin tier's load balancers accept as X-Origin-Verify, and what CloudFront sends, per stack (resolved values). */
function originHeaders(r: Rehearsal, environment: EnvironmentPlan): { where: string; accepts: string[]; sends: string[]; forbidsByDefault: boolean | undefined }[] {
  return allStacks([environment]).filter(({ stack: s }) => s.lookups.some((l) => l.lookup === 'secret-version')).map(({ key, stack: s }) => {
    const deployed = stack(r, environment.account, key, s.stackName);
    const accepts: string[] = [];
    const sends: string[] = [];
    const listeners = new Set<string>();
    const walk = (node: unknown, type: string): void => {
      if (Array.isArray(node)) { node.forEach((n) => walk(n, type)); return; }
      if (!node || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if (o.HttpHeaderName === 'X-Origin-Verify' && Array.isArray(o.Values)) accepts.push(...o.Values.map(String));
      if (o.HeaderName === 'X-Origin-Verify' && type === 'AWS::CloudFront::Distribution') sends.push(String(o.HeaderValue));
      Object.values(o).forEach((v) => walk(v, type));
    };
    for (const resource of deployed?.resources.values() ?? []) {
      walk(resource.resolved ?? resource.properties, resource.type);
      if (resource.type === 'AWS::ElasticLoadBalancingV2::ListenerRule' && JSON.stringify(resource.properties).includes('X-Origin-Verify')) listeners.add(String(resource.properties?.ListenerArn));
    }
    const listener = [...deployed?.resources.values() ?? []].filter((x) => listeners.has(x.physicalId));
    const forbidsByDefault = listener.length === 0 ? undefined
      : listener.every((x) => JSON.stringify(x.properties?.DefaultActions ?? []).includes('"StatusCode":"403"'));
    return { where: `${s.stackName} (${key})`, accepts: [...new Set(accepts)].sort(), sends: [...new Set(sends)], forbidsByDefault };
  });
}

/**
 * A rotation of the secret origin header as the README tells a team to run it: gantry-origin-secret.yml
 * with rotate, gantry: deploy, the workflow with finish, gantry: deploy. After the first deploy the load
 * balancers must accept the new and the old value and CloudFront send the new one; after the second,
 * only the new value may pass. The workflow must refuse a second rotation or a finish before the deploy
 * (either would have the load balancers refuse what CloudFront still sends).
 */
async function originSecretRotation(r: Rehearsal, plan: EnvironmentPlan[]): Promise<string[] | { notApplicable: string }> {
  const targets = plan.map((environment) => ({
    environment,
    secretId: allStacks([environment]).flatMap(({ stack: s }) => s.lookups).map((l) => (l as { secretId?: string }).secretId).find(Boolean),
  })).filter((t): t is { environment: EnvironmentPlan; secretId: string } => t.secretId !== undefined);
  if (targets.length === 0) return { notApplicable: 'no environment has an API origin behind CloudFront, so no secret origin header' };
  if (!fs.existsSync(path.join(r.repository, r.layout.workflows, 'gantry-origin-secret.yml'))) return [`the spec has a secret origin header, but there is no ${r.layout.workflows}/gantry-origin-secret.yml`];
  const secrets = r.standIn.secretsmanager;
  const problems: string[] = [];
  const dispatch = (environment: EnvironmentPlan, action: string) => r.run('gantry-origin-secret.yml',
    { name: 'workflow_dispatch', ref: `refs/heads/${r.branch()}`, inputs: { environment: environment.name, action } }, { approve: () => true });
  // Every copy of the secret: the primary in the environment's first region, replicas in the others and us-east-1.
  const copies = (t: (typeof targets)[number]) => [...new Set([...t.environment.regions, 'us-east-1'])]
    .map((region) => ({ region, secret: secrets.find(t.environment.account, region, t.secretId) }));
  const stage = (t: (typeof targets)[number], name: string) => {
    const found = copies(t).map(({ region, secret }) => ({ region, version: secret?.versions.find((v) => v.stages.includes(name)) }));
    const ids = new Set(found.map((f) => f.version?.id));
    if (ids.size > 1) problems.push(`${t.secretId}: the copies disagree on ${name}: ${found.map((f) => `${f.region} ${f.version?.id ?? 'none'}`).join(', ')}`);
    return found[0]?.version;
  };
  const expectHeaders = (t: (typeof targets)[number], when: string, accepted: string[], sent: string) => {
    for (const h of originHeaders(r, t.environment)) {
      if (h.forbidsByDefault === false) problems.push(`${when}: ${h.where}: the listener with the header rules does not answer 403 by default`);
      if (h.accepts.length > 0 && JSON.stringify(h.accepts) !== JSON.stringify([...new Set(accepted)].sort())) {
        problems.push(`${when}: ${h.where}: the load balancer accepts ${h.accepts.length} value(s) of X-Origin-Verify, not the ${accepted.length === 1 ? 'current one only' : 'current and the previous one'}`);
      }
      if (h.sends.length > 0 && (h.sends.length !== 1 || h.sends[0] !== sent)) problems.push(`${when}: ${h.where}: CloudFront does not send the current value of ${t.secretId}`);
    }
    if (!originHeaders(r, t.environment).some((h) => h.accepts.length > 0)) problems.push(`${when}: no load balancer of ${t.environment.name} requires X-Origin-Verify`);
    if (!originHeaders(r, t.environment).some((h) => h.sends.length > 0)) problems.push(`${when}: CloudFront sends no X-Origin-Verify in ${t.environment.name}`);
  };

  const old = new Map(targets.map((t) => [t, stage(t, 'AWSCURRENT')]));
  for (const t of targets) {
    const v0 = old.get(t);
    if (!v0) { problems.push(`${t.secretId} has no current version after the first deploy`); continue; }
    if (copies(t).some((c) => !c.secret)) problems.push(`${t.secretId} is missing in ${copies(t).filter((c) => !c.secret).map((c) => c.region).join(', ')}`);
    expectHeaders(t, 'before the rotation', [v0.value], v0.value);
    const rotated = await dispatch(t.environment, 'rotate');
    problems.push(...failures(r, rotated).map((p) => `rotate: ${p}`));
    const v1 = stage(t, 'AWSCURRENT');
    if (!v1 || v1.id === v0.id) problems.push(`rotate: ${t.secretId} has no new current version`);
    if (stage(t, 'AWSPREVIOUS')?.id !== v0.id) problems.push(`rotate: the old version of ${t.secretId} is not the previous one`);
    if ((await dispatch(t.environment, 'rotate')).conclusion !== 'failure') problems.push(`a second rotation of ${t.environment.name} before a deploy was not refused`);
    if ((await dispatch(t.environment, 'finish')).conclusion !== 'failure') problems.push(`finishing the rotation of ${t.environment.name} before a deploy was not refused`);
  }
  const first = await deploy(r);
  problems.push(...first.problems.map((p) => `deploy after rotate: ${p}`), ...deployedEverywhere(r, plan));
  for (const t of targets) {
    const [v0, v1] = [old.get(t), stage(t, 'AWSCURRENT')];
    if (v0 && v1) expectHeaders(t, 'after rotate and deploy', [v1.value, v0.value], v1.value);
    const finished = await dispatch(t.environment, 'finish');
    problems.push(...failures(r, finished).map((p) => `finish: ${p}`));
    if (stage(t, 'AWSPREVIOUS')) problems.push(`finish: ${t.secretId} still has a previous version`);
    if (copies(t).some((c) => c.secret?.versions.some((v) => v.id === v0?.id && v.stages.length > 0))) problems.push(`finish: the old version of ${t.secretId} keeps a staging label`);
  }
  const second = await deploy(r);
  problems.push(...second.problems.map((p) => `deploy after finish: ${p}`), ...deployedEverywhere(r, plan));
  for (const t of targets) {
    const v1 = stage(t, 'AWSCURRENT');
    if (v1) expectHeaders(t, 'after finish and deploy', [v1.value], v1.value);
  }
  return problems;
}

/**
 * The scenarios in the order a team meets them, all on one rehearsal per spec: bootstrapped, empty
 * accounts get a pull request from a fork, then one from a branch (which must leave nothing behind);
 * merging deploys everything (first-deploy); the scenarios marked `deployed` start from what the
 * first deploy left, each from what the one before it left.
 */
export const SCENARIOS: Record<string, { run: Scenario; deployed: boolean }> = {
  'pr-fork': { run: prFromFork, deployed: false },
  'pr-branch': { run: prFromBranch, deployed: false },
  'pr-script-edit': { run: prScriptEdit, deployed: false },
  cancelled: { run: cancelledRun, deployed: false },
  'first-deploy': { run: firstDeploy, deployed: false },
  'second-push': { run: secondPush, deployed: true },
  'slack-down': { run: slackDown, deployed: true },
  drift: { run: drift, deployed: true },
  release: { run: releaseScenario, deployed: true },
  'release-missing-image': { run: releaseMissingImage, deployed: true },
  'failing-release': { run: failingRelease, deployed: true },
  rollback: { run: rollback, deployed: true },
  'release-baked': { run: releaseBaked, deployed: true },
  'origin-secret': { run: originSecretRotation, deployed: true },
  'replace-resource': { run: replaceResource, deployed: true },
  'tier-removed': { run: tierRemoved, deployed: true },
  failover: { run: (r, plan) => failoverScenario(r, plan), deployed: true },
};

export type Source = { kind: 'generated'; cwd: string; spec: string; out: string; workflows: string } | { kind: 'spec'; spec: string };

async function open(source: Source): Promise<Rehearsal> {
  const r = source.kind === 'generated'
    ? Rehearsal.fromGenerated(source.cwd, { spec: source.spec, out: source.out, workflows: source.workflows })
    : await Rehearsal.fromSpec(source.spec);
  await r.start();
  return r;
}

/** Runs one scenario on a rehearsal and adds the calls denied meanwhile that its checks did not name. */
async function attempt(name: string, r: Rehearsal, plan: EnvironmentPlan[]): Promise<ScenarioResult> {
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`there is no scenario "${name}"`);
  const from = r.standIn.world.authorizer.denials.length;
  const [calls, started] = [r.standIn.world.calls.length, Date.now()];
  const outcome = await scenario.run(r, plan);
  const cost = { calls: r.standIn.world.calls.length - calls, seconds: Math.round((Date.now() - started) / 1000) };
  if (!Array.isArray(outcome)) return { scenario: name, ok: true, problems: [], notApplicable: outcome.notApplicable };
  const denied = r.denials().slice(from).filter((d) => !outcome.some((p) => p.includes(d.action)));
  const problems = [...outcome, ...new Set(denied.map((d) => `denied${d.where ? ` in ${d.where.workflow} › ${d.where.job} › "${d.where.step}"` : ''}: ${d.action} on ${d.resource} for ${d.caller}`))];
  return { scenario: name, ok: problems.length === 0, problems, cost };
}

/**
 * Runs the named scenarios (all by default) for one spec, in SCENARIOS' order on one rehearsal, calling
 * `report` as each finishes. The deployed ones need the first deploy (run for them when it was not
 * asked for), and report its problems if it failed.
 */
export async function runScenarios(source: Source, names: string[] = Object.keys(SCENARIOS), report: (result: ScenarioResult) => void = () => undefined): Promise<ScenarioResult[]> {
  for (const name of names) if (!SCENARIOS[name]) throw new Error(`there is no scenario "${name}"; choose one of ${Object.keys(SCENARIOS).join(', ')}`);
  const results: ScenarioResult[] = [];
  const done = (result: ScenarioResult) => { results.push(result); report(result); };
  const ordered = Object.keys(SCENARIOS).filter((n) => names.includes(n));
  const deployed = ordered.filter((n) => SCENARIOS[n]?.deployed);
  const r = await open(source);
  try {
    const plan = await r.plan();
    for (const name of ordered.filter((n) => !SCENARIOS[n]?.deployed && n !== 'first-deploy')) done(await attempt(name, r, plan));
    if (deployed.length === 0 && !ordered.includes('first-deploy')) return results;
    const first = await attempt('first-deploy', r, plan);
    if (ordered.includes('first-deploy')) done(first);
    for (const name of deployed) {
      if (!first.ok) done({ scenario: name, ok: false, problems: [`not run: the first deploy failed (${first.problems[0]?.slice(0, 200) ?? 'see first-deploy'})`] });
      else done(await attempt(name, r, plan));
    }
  } finally {
    await r.stop();
  }
  return results;
}
