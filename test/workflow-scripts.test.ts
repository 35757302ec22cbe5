import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { OPTIONAL_SCRIPT_NAMES, scriptFiles } from '../generator/workflows/scripts';
import { REPO_ROOT, tempDir } from './helpers';

/**
 * The workflow scripts (blueprints/workflows/*.sh) run with bash against a small stateful
 * stand-in for the AWS CLI (test/fixtures/workflow-scripts/fake-aws.js) and a stand-in for
 * `gantry stacks`. Each test is one finding of issue 15 that the old scripts got wrong.
 */
const FAKE_AWS_SERVER = path.join(REPO_ROOT, 'test/fixtures/workflow-scripts/fake-aws-server.js');

/**
 * The `aws` the scripts find on PATH: one call of fake-aws.js, answered by fake-aws-server.js over
 * bash's /dev/tcp (a Node start per call was most of this suite's time). It sends what the fake
 * reads of its process, and evaluates the answer: the call's stdout, stderr and exit status.
 */
const AWS_SHIM = `#!/usr/bin/env bash
exec 3<>"/dev/tcp/127.0.0.1/$FAKE_AWS_PORT" || exit 255
environment="FAKE_AWS_STATE=$FAKE_AWS_STATE
FAKE_AWS_LOG=$FAKE_AWS_LOG
\${AWS_REGION+AWS_REGION=$AWS_REGION}
\${AWS_DEFAULT_REGION+AWS_DEFAULT_REGION=$AWS_DEFAULT_REGION}"
printf '%s\\0' "$PWD" "$environment" "$#" "$@" >&3
IFS= read -r -d '' answer <&3
eval "$answer"
`;

let server: ChildProcess | undefined;
let port = '';

beforeAll(async () => {
  server = spawn(process.execPath, [FAKE_AWS_SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  port = await new Promise<string>((resolve, reject) => {
    server?.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8').trim()));
    server?.once('error', reject);
    server?.once('exit', (code) => reject(new Error(`fake-aws-server.js exited ${code} before it listened`)));
  });
});

afterAll(async () => {
  // Waits for the server to exit, so that no handle of it outlives the suite's worker.
  const exited = server && server.exitCode === null ? new Promise((resolve) => server?.once('exit', resolve)) : undefined;
  server?.stdin?.end();
  server?.kill();
  await exited;
});

interface Stack { stackName: string; region: string; template: string; lookups?: unknown[]; tier?: string; imageParameter?: string }
type State = Record<string, unknown> & { stacks?: Record<string, Record<string, Record<string, unknown>>>; params?: Record<string, Record<string, { versions: { Version: number; Value: string; Labels: string[] }[] }>> };

function world(stacksByTarget: Record<string, Stack[]>, state: State) {
  const dir = tempDir();
  const bin = path.join(dir, 'bin');
  const workflows = path.join(dir, '.github/workflows');
  fs.mkdirSync(bin, { recursive: true });
  fs.mkdirSync(workflows, { recursive: true });
  fs.mkdirSync(path.join(dir, 'out'), { recursive: true });
  fs.writeFileSync(path.join(bin, 'aws'), AWS_SHIM, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'fake-gantry'), '#!/usr/bin/env bash\nwhile [ $# -gt 0 ]; do if [ "$1" = --region ]; then region=$2; fi; shift; done\ncat "$STACKS_DIR/$region.json"\n', { mode: 0o755 });
  fs.mkdirSync(path.join(dir, 'stacks'));
  for (const [target, stacks] of Object.entries(stacksByTarget)) {
    for (const stack of stacks) {
      const template = path.join(dir, stack.template);
      fs.mkdirSync(path.dirname(template), { recursive: true });
      if (!fs.existsSync(template)) fs.writeFileSync(template, `Resources: {} # ${stack.stackName}\n`);
    }
    fs.writeFileSync(path.join(dir, 'stacks', `${target}.json`), JSON.stringify({ stacks: stacks.map((s) => ({ lookups: [], upload: false, ...s, template: path.join(dir, s.template) })) }));
  }
  for (const file of scriptFiles('environment.yaml', OPTIONAL_SCRIPT_NAMES)) fs.writeFileSync(path.join(workflows, file.path), file.content);
  const stateFile = path.join(dir, 'state.json');
  fs.writeFileSync(stateFile, JSON.stringify(state));
  const log = path.join(dir, 'aws.log');
  fs.writeFileSync(log, '');
  const summary = path.join(dir, 'summary.md');
  fs.writeFileSync(summary, '');
  const run = (script: string, env: Record<string, string>) => {
    const result = spawnSync('bash', [...(process.env.GANTRY_DEBUG_SCRIPTS ? ['-x'] : []), path.join(workflows, script)], {
      cwd: dir, encoding: 'utf8',
      env: {
        PATH: `${bin}:${process.env.PATH}`, HOME: dir, FAKE_AWS_PORT: port, FAKE_AWS_STATE: stateFile, FAKE_AWS_LOG: log, STACKS_DIR: path.join(dir, 'stacks'),
        GANTRY: path.join(bin, 'fake-gantry'), GANTRY_SPEC: 'environment.yaml', GANTRY_OUT: path.join(dir, 'out'), GANTRY_WORKFLOWS: workflows,
        GITHUB_STEP_SUMMARY: summary, RUNNER_TEMP: dir, GITHUB_SHA: '0123456789abcdef', GITHUB_RUN_ID: '77', GITHUB_RUN_ATTEMPT: '1',
        GITHUB_REPOSITORY: 'acme/shop', GITHUB_SERVER_URL: 'https://github.com', GANTRY_POLL_SECONDS: '0',
        ENVIRONMENT: 'prod', BOOTSTRAP_STACK: 'p-prod-bootstrap', BOOTSTRAP_REGION: 'eu-west-1', UPLOAD_PREFIX: 'x', ...env,
      },
    });
    if (process.env.GANTRY_DEBUG_SCRIPTS) process.stderr.write(result.stderr);
    return { status: result.status, out: `${result.stdout}${result.stderr}` };
  };
  return {
    dir, run,
    state: () => JSON.parse(fs.readFileSync(stateFile, 'utf8')) as State,
    calls: () => fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean),
    summary: () => fs.readFileSync(summary, 'utf8'),
  };
}

const deployed = (extra: Record<string, unknown> = {}) => ({ status: 'UPDATE_COMPLETE', changeSets: {}, events: [], templateHash: 'old', ...extra });
const api = { stackName: 'p-prod-api', region: 'eu-west-1', template: 'out/prod/eu-west-1/api.yaml', tier: 'api', imageParameter: '/p/prod/api/ami' };
const apiIn = (region: string) => ({ ...api, region, template: `out/prod/${region}/api.yaml` });

describe('gantry-plan.sh', () => {
  it('fails, naming the parameter, when a lookup is refused (no process substitution hides it)', () => {
    const w = world({ 'eu-west-1': [{ ...api, lookups: [{ name: 'CloudFrontPrefixListId', lookup: 'cloudfront-prefix-list-id' }] }] },
      { stacks: { 'eu-west-1': { 'p-prod-api': deployed() } }, fail: [{ call: 'ec2 describe-managed-prefix-lists', code: 'UnauthorizedOperation' }] });
    const { status, out } = w.run('gantry-plan.sh', { TARGETS: 'eu-west-1', PLAN_DIR: 'plan', CHANGE_SET: 'cs-1' });
    expect(status).toBe(1);
    expect(out).toContain('::error title=Lookup failed::cannot look up CloudFrontPrefixListId for p-prod-api');
    expect(w.calls().some((c) => c.includes('create-change-set'))).toBe(false);
  });

  it('plans a stack that does not exist under a review name and deletes it again: no REVIEW_IN_PROGRESS left behind', () => {
    const w = world({ 'eu-west-1': [{ stackName: 'p-prod-network', region: 'eu-west-1', template: 'out/prod/eu-west-1/network.yaml' }] }, { stacks: { 'eu-west-1': {} } });
    const { status, out } = w.run('gantry-plan.sh', { TARGETS: 'eu-west-1', PLAN_DIR: 'plan', CHANGE_SET: 'cs-1' });
    expect([status, out]).toEqual([0, expect.any(String)]);
    expect(w.state().stacks!['eu-west-1']).toEqual({});
    expect(w.calls().find((c) => c.includes('create-change-set'))).toContain('--stack-name gantry-review-p-prod-network --change-set-name cs-1 --change-set-type CREATE');
    const plan = JSON.parse(fs.readFileSync(path.join(w.dir, 'plan/prod/eu-west-1/p-prod-network.json'), 'utf8'));
    expect(plan).toMatchObject({ StackName: 'p-prod-network', Status: 'CREATE_COMPLETE', ChangeSetType: 'CREATE', Changes: [expect.objectContaining({ Type: 'Resource' })] });
  });

  it('fails when a stack cannot be read (AccessDenied is not "does not exist")', () => {
    const w = world({ 'us-east-1': [{ stackName: 'p-prod-edge', region: 'us-east-1', template: 'out/prod/global/edge.yaml' }] },
      { fail: [{ call: 'us-east-1 cloudformation describe-stacks', code: 'AccessDenied', message: 'not authorized to perform: cloudformation:DescribeStacks' }] });
    fs.copyFileSync(path.join(w.dir, 'stacks/us-east-1.json'), path.join(w.dir, 'stacks/global.json'));
    const { status, out } = w.run('gantry-plan.sh', { TARGETS: 'global', PLAN_DIR: 'plan', CHANGE_SET: 'cs-1' });
    expect(status).toBe(1);
    expect(out).toContain('::error title=Cannot read stack p-prod-edge::');
    expect(w.calls().some((c) => c.includes('create-change-set'))).toBe(false);
  });

  const protectedApi = { ...api, lookups: [{ name: 'DeletionProtection', lookup: 'deletion-protection' }] };

  it('plans a new protected stack with deletion protection off, says the deploy turns it on, and an existing one with it on', () => {
    const w = world({ 'eu-west-1': [protectedApi, { ...protectedApi, stackName: 'p-prod-web', template: 'out/prod/eu-west-1/web.yaml' }] },
      { stacks: { 'eu-west-1': { 'p-prod-web': deployed({ parameters: { DeletionProtection: 'true' } }) } } });
    const { status, out } = w.run('gantry-plan.sh', { TARGETS: 'eu-west-1', PLAN_DIR: 'plan', CHANGE_SET: 'cs-1' });
    expect([status, out]).toEqual([0, expect.any(String)]);
    const creates = w.calls().filter((c) => c.includes('create-change-set'));
    expect(creates[0]).toMatch(/--stack-name gantry-review-p-prod-api .*--change-set-type CREATE .*--parameters ParameterKey=DeletionProtection,ParameterValue=false/);
    expect(creates[1]).toMatch(/--stack-name p-prod-web .*--change-set-type UPDATE .*--parameters ParameterKey=DeletionProtection,ParameterValue=true/);
    expect(JSON.parse(fs.readFileSync(path.join(w.dir, 'plan/prod/eu-west-1/p-prod-api.json'), 'utf8'))).toMatchObject({ ChangeSetType: 'CREATE', ProtectedOnceCreated: true });
    expect(JSON.parse(fs.readFileSync(path.join(w.dir, 'plan/prod/eu-west-1/p-prod-web.json'), 'utf8')).ProtectedOnceCreated).toBeUndefined();
    expect(w.summary()).toContain('- **p-prod-api**: 1 change; created without deletion protection, which the deploy turns on as soon as the stack exists');
  });

  it('plans no change set on a stack whose failed creation could not be rolled back, and says how to recover it', () => {
    const w = world({ 'eu-west-1': [protectedApi] }, { stacks: { 'eu-west-1': { 'p-prod-api': { status: 'ROLLBACK_FAILED', changeSets: {}, events: [
      { LogicalResourceId: 'LoadBalancer', ResourceType: 'AWS::ElasticLoadBalancingV2::LoadBalancer', ResourceStatus: 'DELETE_FAILED', ResourceStatusReason: 'Load balancer cannot be deleted because deletion protection is enabled', Timestamp: '2026-12-01T10:00:00Z' },
    ] } } } });
    const { status, out } = w.run('gantry-plan.sh', { TARGETS: 'eu-west-1', PLAN_DIR: 'plan', CHANGE_SET: 'cs-1' });
    expect(status).toBe(1);
    expect(out).toContain('::error title=p-prod-api is ROLLBACK_FAILED::');
    expect(out).toContain('deletion protection is enabled');
    expect(w.calls().some((c) => c.includes('create-change-set'))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(w.dir, 'plan/prod/eu-west-1/p-prod-api.json'), 'utf8'))).toMatchObject({ Status: 'FAILED', StatusReason: expect.stringContaining('ROLLBACK_FAILED') });
  });

  it('says when the deployed bootstrap differs from the generated one', () => {
    const w = world({ 'eu-west-1': [] }, { stacks: { 'eu-west-1': { 'p-prod-bootstrap': deployed({ template: 'old bootstrap\n' }) } } });
    fs.mkdirSync(path.join(w.dir, 'out/prod'), { recursive: true });
    fs.writeFileSync(path.join(w.dir, 'out/prod/bootstrap.yaml'), 'new bootstrap\n');
    expect(w.run('gantry-plan.sh', { TARGETS: 'eu-west-1', PLAN_DIR: 'plan', CHANGE_SET: 'cs-1' }).status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(w.dir, 'plan/prod/bootstrap.state'), 'utf8'))).toMatchObject({ state: 'outdated', command: expect.stringContaining('--stack-name p-prod-bootstrap') });
  });
});

describe('gantry-cleanup.sh', () => {
  // What the job's scripts wrote down (gantry-lib.sh's ledger) when it was cancelled: the review
  // stack's creation began, p-prod-api's change set was made, its protect change set was deleted.
  const cancelledPlan = [
    'open review-stack eu-west-1 gantry-review-p-prod-network -',
    'open change-set eu-west-1 gantry-review-p-prod-network cs-1',
    'open change-set eu-west-1 p-prod-api cs-1',
    'open change-set eu-west-1 p-prod-api cs-1-protect',
    'closed change-set eu-west-1 p-prod-api cs-1-protect',
  ];
  const ledger = (dir: string, lines: string[]) => fs.writeFileSync(path.join(dir, 'gantry-ledger-cs-1'), `${lines.join('\n')}\n`);

  it('deletes what the job left open (its change sets, its empty review stacks) and touches nothing else', () => {
    const w = world({ 'eu-west-1': [api] }, {
      stacks: { 'eu-west-1': {
        'p-prod-api': deployed({ changeSets: { 'cs-1': {}, 'cs-1-protect': {}, 'other': {} } }),
        'gantry-review-p-prod-network': { status: 'REVIEW_IN_PROGRESS', changeSets: { 'cs-1': {} }, events: [] },
        'gantry-review-p-prod-other': { status: 'REVIEW_IN_PROGRESS', changeSets: {}, events: [] },
      } },
    });
    ledger(w.dir, cancelledPlan);
    expect(w.run('gantry-cleanup.sh', { CHANGE_SET: 'cs-1' }).status).toBe(0);
    const stacks = w.state().stacks!['eu-west-1']!;
    expect(Object.keys(stacks).sort()).toEqual(['gantry-review-p-prod-other', 'p-prod-api']);
    // cs-1-protect was crossed out in the ledger: the job deleted it itself, and it is not asked about again.
    expect(Object.keys(stacks['p-prod-api']!.changeSets as object)).toEqual(['cs-1-protect', 'other']);
  });

  it('deletes a stack the deploy began to create only with DELETE_UNUSED_STACKS, and only while it is empty', () => {
    const lines = ['open new-stack eu-west-1 p-prod-api -', 'open change-set eu-west-1 p-prod-api cs-1', 'open new-stack eu-west-1 p-prod-web -'];
    const state = () => ({ stacks: { 'eu-west-1': {
      'p-prod-api': { status: 'REVIEW_IN_PROGRESS', changeSets: { 'cs-1': {} }, events: [] },
      'p-prod-web': { status: 'CREATE_IN_PROGRESS', changeSets: {}, events: [] },
    } } });
    const kept = world({ 'eu-west-1': [api] }, state());
    ledger(kept.dir, lines);
    expect(kept.run('gantry-cleanup.sh', { CHANGE_SET: 'cs-1' }).status).toBe(0);
    expect(Object.keys(kept.state().stacks!['eu-west-1']!).sort()).toEqual(['p-prod-api', 'p-prod-web']);
    const deleted = world({ 'eu-west-1': [api] }, state());
    ledger(deleted.dir, lines);
    expect(deleted.run('gantry-cleanup.sh', { CHANGE_SET: 'cs-1', DELETE_UNUSED_STACKS: 'true' }).status).toBe(0);
    expect(Object.keys(deleted.state().stacks!['eu-west-1']!)).toEqual(['p-prod-web']);
  });

  it('makes no AWS call after a job that finished what it began', () => {
    const w = world({ 'eu-west-1': [api, { stackName: 'p-prod-network', region: 'eu-west-1', template: 'out/prod/eu-west-1/network.yaml' }] },
      { stacks: { 'eu-west-1': { 'p-prod-api': deployed() } } });
    expect(w.run('gantry-plan.sh', { TARGETS: 'eu-west-1', PLAN_DIR: 'plan', CHANGE_SET: 'cs-1' }).status).toBe(0);
    const planned = w.calls().length;
    expect(w.calls().filter((c) => c.includes('create-change-set'))).toHaveLength(2);
    expect(w.run('gantry-cleanup.sh', { TARGETS: 'eu-west-1', CHANGE_SET: 'cs-1' }).status).toBe(0);
    expect(w.calls()).toHaveLength(planned);
    expect(w.state().stacks!['eu-west-1']).toEqual({ 'p-prod-api': expect.objectContaining({ changeSets: {} }) });
  });
});

describe('gantry-deploy.sh', () => {
  const approve = (dir: string, region: string, stack: string, changes: unknown[]) => {
    fs.mkdirSync(path.join(dir, 'plan/prod', region), { recursive: true });
    fs.writeFileSync(path.join(dir, 'plan/prod', region, `${stack}.json`), JSON.stringify({ StackName: stack, Changes: changes }));
  };
  const modify = [{ Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: 'Thing', ResourceType: 'AWS::SNS::Topic', Replacement: 'False' } }];
  const env = { TARGETS: 'eu-west-1', CHANGE_SET: 'gantry-deploy-77-1', EXECUTION_ROLE_ARN: 'arn:exec', APPROVED_DIR: 'plan/prod' };

  it('executes the approved change set through the execution role', () => {
    const w = world({ 'eu-west-1': [{ ...api, tier: undefined, imageParameter: undefined }] }, { stacks: { 'eu-west-1': { 'p-prod-api': deployed() } } });
    approve(w.dir, 'eu-west-1', 'p-prod-api', modify);
    const { status, out } = w.run('gantry-deploy.sh', env);
    expect([status, out]).toEqual([0, expect.stringContaining('p-prod-api: UPDATE_COMPLETE')]);
    expect(w.state().stacks!['eu-west-1']!['p-prod-api']).toMatchObject({ status: 'UPDATE_COMPLETE', role: 'arn:exec' });
  });

  it('does not execute a change set that differs from the approved one', () => {
    const w = world({ 'eu-west-1': [{ ...api, tier: undefined, imageParameter: undefined }] }, { stacks: { 'eu-west-1': { 'p-prod-api': deployed() } } });
    approve(w.dir, 'eu-west-1', 'p-prod-api', []);
    const { status, out } = w.run('gantry-deploy.sh', env);
    expect(status).toBe(1);
    expect(out).toContain('p-prod-api changed since approval');
    expect(w.calls().some((c) => c.includes('execute-change-set'))).toBe(false);
  });

  it('says a failed update was rolled back, and prints only this deploy\'s failed events', () => {
    const w = world({ 'eu-west-1': [{ ...api, tier: undefined, imageParameter: undefined }] }, {
      stacks: { 'eu-west-1': { 'p-prod-api': deployed({ events: [{ ClientRequestToken: 'an-old-deploy', LogicalResourceId: 'OldFailure', ResourceStatus: 'UPDATE_FAILED', ResourceStatusReason: 'stale' }] }) } },
      failStacks: ['p-prod-api'],
    });
    approve(w.dir, 'eu-west-1', 'p-prod-api', modify);
    const { status, out } = w.run('gantry-deploy.sh', env);
    expect(status).toBe(1);
    expect(out).toContain('p-prod-api failed and was rolled back');
    expect(out).toContain('Received 0 SUCCESS signal(s)');
    expect(out).not.toContain('OldFailure');
  });

  const protectedApi = { ...api, tier: undefined, imageParameter: undefined, lookups: [{ name: 'DeletionProtection', lookup: 'deletion-protection' }] };
  const add = [{ Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: 'Thing', ResourceType: 'AWS::SNS::Topic' } }];

  it('creates a protected stack unprotected, so a failed create can roll back, then protects it in the same deploy', () => {
    const w = world({ 'eu-west-1': [protectedApi] }, { stacks: { 'eu-west-1': {} } });
    approve(w.dir, 'eu-west-1', 'p-prod-api', add);
    const { status, out } = w.run('gantry-deploy.sh', env);
    expect([status, out]).toEqual([0, expect.stringContaining('p-prod-api: turning deletion protection on')]);
    const changeSets = w.calls().filter((c) => c.includes('create-change-set'));
    expect(changeSets).toEqual([
      expect.stringMatching(/--change-set-name gantry-deploy-77-1 --change-set-type CREATE .*ParameterValue=false/),
      expect.stringMatching(/--change-set-name gantry-deploy-77-1-protect --change-set-type UPDATE .*ParameterValue=true/),
    ]);
    expect(w.calls().filter((c) => c.includes('execute-change-set'))).toHaveLength(2);
    expect(w.state().stacks!['eu-west-1']!['p-prod-api']).toMatchObject({ status: 'UPDATE_COMPLETE', parameters: { DeletionProtection: 'true' } });
    expect(w.summary()).toContain('| p-prod-api | eu-west-1 | UPDATE_COMPLETE, deletion protection on |');
  });

  it('a failed create of a protected stack rolls back (ROLLBACK_COMPLETE), and the next deploy creates it afresh', () => {
    const w = world({ 'eu-west-1': [protectedApi] }, { stacks: { 'eu-west-1': {} }, failStacks: ['p-prod-api'] });
    approve(w.dir, 'eu-west-1', 'p-prod-api', add);
    const { status, out } = w.run('gantry-deploy.sh', env);
    expect(status).toBe(1);
    expect(out).toContain('p-prod-api could not be created');
    expect(w.state().stacks!['eu-west-1']!['p-prod-api']!.status).toBe('ROLLBACK_COMPLETE');
    expect(w.calls().filter((c) => c.includes('create-change-set'))).toEqual([expect.stringContaining('ParameterValue=false')]);
  });

  it('does not protect a new stack when that would change more than its protection', () => {
    const w = world({ 'eu-west-1': [protectedApi] }, { stacks: { 'eu-west-1': {} }, replacedByParameters: ['p-prod-api'] });
    approve(w.dir, 'eu-west-1', 'p-prod-api', add);
    const { status, out } = w.run('gantry-deploy.sh', env);
    expect(status).toBe(1);
    expect(out).toContain('p-prod-api: protecting it would change more');
    expect(w.calls().filter((c) => c.includes('execute-change-set'))).toHaveLength(1);
  });

  test.each([
    ['ROLLBACK_FAILED', ['--no-deletion-protection', 'deletion_protection.enabled,Value=false', 'aws cloudformation delete-stack --region eu-west-1 --stack-name p-prod-api', '--retain-resources'], 'continue-update-rollback'],
    ['DELETE_FAILED', ['aws cloudformation delete-stack --region eu-west-1 --stack-name p-prod-api --retain-resources'], 'continue-update-rollback'],
    ['UPDATE_ROLLBACK_FAILED', ['aws cloudformation continue-update-rollback --region eu-west-1 --stack-name p-prod-api'], 'delete-stack'],
  ])('refuses a stack in %s with the steps that recover it, and creates no change set on it', (state, steps, notSaid) => {
    const w = world({ 'eu-west-1': [protectedApi] }, { stacks: { 'eu-west-1': { 'p-prod-api': { status: state, changeSets: {}, events: [
      { LogicalResourceId: 'Database', ResourceType: 'AWS::RDS::DBInstance', ResourceStatus: 'DELETE_FAILED', ResourceStatusReason: 'Cannot delete protected DB Instance', Timestamp: '2026-12-01T10:00:00Z' },
    ] } } } });
    approve(w.dir, 'eu-west-1', 'p-prod-api', modify);
    const { status, out } = w.run('gantry-deploy.sh', env);
    expect(status).toBe(1);
    expect(out).toContain(`::error title=p-prod-api is ${state}::`);
    for (const step of steps) expect(out).toContain(step);
    expect(out).not.toContain(notSaid);
    expect(out).toContain('Database (AWS::RDS::DBInstance) DELETE_FAILED: Cannot delete protected DB Instance');
    expect(w.calls().some((c) => c.includes('create-change-set') || c.includes('delete-stack'))).toBe(false);
    expect(w.summary()).toContain(`| p-prod-api | eu-west-1 | :x: ${state} |`);
  });

  it('says a failed creation is not a rollback of a running stack', () => {
    const w = world({ 'eu-west-1': [{ ...api, tier: undefined, imageParameter: undefined }] }, { stacks: { 'eu-west-1': {} }, failStacks: ['p-prod-api'] });
    approve(w.dir, 'eu-west-1', 'p-prod-api', [{ Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: 'Thing', ResourceType: 'AWS::SNS::Topic' } }]);
    const { status, out } = w.run('gantry-deploy.sh', env);
    expect(status).toBe(1);
    expect(out).toContain('p-prod-api could not be created');
  });
});

describe('gantry-release.sh', () => {
  const regions = ['eu-west-1', 'af-south-1'];
  const baseState = (): State => ({
    stacks: Object.fromEntries(regions.map((r) => [r, { 'p-prod-api': deployed({ templateHash: undefined, image: 'ami-a' }) }])),
    params: Object.fromEntries(regions.map((r) => [r, { '/p/prod/api/ami': { versions: [{ Version: 1, Value: r === 'eu-west-1' ? 'ami-a' : 'ami-a', Labels: [] }] } }])),
    images: { 'eu-west-1': { 'ami-a': 'available', 'ami-b': 'available', 'ami-c': 'available', 'ami-bad': 'failed' }, 'af-south-1': { 'ami-a': 'available' } },
    imageParameters: { 'p-prod-api': '/p/prod/api/ami' },
  });
  const setup = (state: State) => {
    const w = world(Object.fromEntries(regions.map((r) => [r, [apiIn(r)]])), state);
    // The stacks' templates are unchanged: only the AMI changes.
    const s = w.state();
    for (const r of regions) {
      (s.stacks![r]!['p-prod-api'] as Record<string, unknown>).templateHash = require('node:crypto').createHash('sha1').update(fs.readFileSync(path.join(w.dir, `out/prod/${r}/api.yaml`), 'utf8')).digest('hex');
    }
    fs.writeFileSync(path.join(w.dir, 'state.json'), JSON.stringify(s));
    return w;
  };
  const env = (mode: string, ami: string) => ({
    MODE: mode, PROJECT: 'p', REGIONS: regions.join(' '), TIER: 'api', AMI_ID: ami, INSTANCE_ID: '', CHANGE_SET: `gantry-${mode}-77-1`, EXECUTION_ROLE_ARN: 'arn:exec',
  });
  const values = (w: ReturnType<typeof world>) => regions.map((r) => { const v = w.state().params![r]!['/p/prod/api/ami']!.versions; return v[v.length - 1]!.Value; });

  it('releases to every region, then a failing release is undone, then rollback restores the last AMI that succeeded everywhere', () => {
    const state = baseState();
    state.badImages = ['ami-copy-af-south-1-ami-c'];
    const w = setup(state);
    // a good release: ami-b everywhere, recorded as a release
    let run = w.run('gantry-release.sh', env('release', 'ami-b'));
    expect([run.status, run.out]).toEqual([0, expect.stringContaining('Released ami-b as gantry-release-')]);
    const afterB = values(w);
    expect(afterB[0]).toBe('ami-b');
    // a release that rolls out in the first region and fails in the second
    run = w.run('gantry-release.sh', env('release', 'ami-c'));
    expect(run.status).toBe(1);
    expect(run.out).toContain('the rolling update of api in af-south-1 failed');
    expect(values(w)).toEqual(['ami-c', afterB[1]]);
    // the parameter's second-to-last version is now ami-c's predecessor in af-south-1 and ami-b in
    // eu-west-1; the rollback reads the release history instead and restores ami-b everywhere
    run = w.run('gantry-release.sh', env('rollback', ''));
    expect([run.status, run.out]).toEqual([0, expect.stringContaining('Rolled api back to gantry-release-')]);
    expect(values(w)).toEqual(afterB);
  });

  it('a rollback after good releases goes to the release before, and skips a region never released', () => {
    const w = setup(baseState());
    expect(w.run('gantry-release.sh', env('release', 'ami-b')).status).toBe(0);
    const afterB = values(w);
    expect(w.run('gantry-release.sh', { ...env('release', 'ami-c'), GITHUB_RUN_ID: '78' }).status).toBe(0);
    // a region added later, never released: its parameter has no history at all
    const s = w.state();
    s.params!['af-south-1'] = {};
    fs.writeFileSync(path.join(w.dir, 'state.json'), JSON.stringify(s));
    const run = w.run('gantry-release.sh', env('rollback', ''));
    expect([run.status, run.out]).toEqual([0, expect.stringContaining('af-south-1 never released')]);
    const eu = w.state().params!['eu-west-1']!['/p/prod/api/ami']!.versions;
    expect(eu[eu.length - 1]!.Value).toBe(afterB[0]);
  });

  it('fails at once, before writing anything, for an AMI that failed or does not exist', () => {
    for (const [ami, message] of [['ami-bad', 'ami-bad in eu-west-1 is failed: snapshot failed'], ['ami-nope', 'ami-nope does not exist in eu-west-1']] as const) {
      const w = setup(baseState());
      const run = w.run('gantry-release.sh', env('release', ami));
      expect([run.status, run.out]).toEqual([1, expect.stringContaining(message)]);
      expect(w.calls().some((c) => c.includes('put-parameter'))).toBe(false);
    }
  });

  it('fails when the release changes nothing', () => {
    const w = setup(baseState());
    const run = w.run('gantry-release.sh', env('release', 'ami-a'));
    expect([run.status, run.out]).toEqual([1, expect.stringContaining('already runs ami-a')]);
  });

  it('refuses to bake from an instance of an Auto Scaling group, and never reboots a stopped build instance', () => {
    const state = baseState();
    state.instances = {
      'i-live': { InstanceId: 'i-live', State: { Name: 'running' }, Tags: [{ Key: 'aws:autoscaling:groupName', Value: 'api' }] },
      'i-build': { InstanceId: 'i-build', State: { Name: 'stopped' }, Tags: [] },
    };
    const w = setup(state);
    const live = w.run('gantry-release.sh', { ...env('release', ''), INSTANCE_ID: 'i-live' });
    expect([live.status, live.out]).toEqual([1, expect.stringContaining('belongs to an Auto Scaling group')]);
    expect(w.run('gantry-release.sh', { ...env('release', ''), INSTANCE_ID: 'i-build' }).status).toBe(0);
    expect(w.state().baked).toEqual([{ instance: 'i-build', reboot: 'no-reboot' }]);
  });
});

describe('gantry-drift.sh', () => {
  const network = { stackName: 'p-prod-network', region: 'eu-west-1', template: 'out/prod/eu-west-1/network.yaml' };
  it('reports a failed detection as a failure, not as in sync, and skips planned stacks', () => {
    const w = world({ 'eu-west-1': [network, api] }, {
      stacks: { 'eu-west-1': { 'p-prod-network': deployed(), 'p-prod-api': { status: 'REVIEW_IN_PROGRESS', changeSets: {}, events: [] } } },
      drift: { 'p-prod-network': { DetectionStatus: 'DETECTION_FAILED', DetectionStatusReason: 'Failed to detect drift on resource [Vpc]: AccessDenied', StackDriftStatus: 'IN_SYNC' } },
    });
    const { status, out } = w.run('gantry-drift.sh', { REGION: 'eu-west-1', AWS_REGION: 'eu-west-1' });
    expect(status).toBe(1);
    expect(out).toContain('Drift detection of p-prod-network failed::DETECTION_FAILED: Failed to detect drift on resource [Vpc]');
    expect(w.summary()).toContain('p-prod-api: not deployed yet (only planned, REVIEW_IN_PROGRESS)');
    expect(w.calls().some((c) => c.includes('detect-stack-drift --stack-name p-prod-api'))).toBe(false);
  });

  it('lists drifted resources', () => {
    const w = world({ 'eu-west-1': [network] }, {
      stacks: { 'eu-west-1': { 'p-prod-network': deployed() } },
      drift: { 'p-prod-network': { DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: 'DRIFTED' } },
      resourceDrifts: { 'p-prod-network': [{ LogicalResourceId: 'Vpc', ResourceType: 'AWS::EC2::VPC', StackResourceDriftStatus: 'MODIFIED' }] },
    });
    expect(w.run('gantry-drift.sh', { REGION: 'eu-west-1', AWS_REGION: 'eu-west-1' }).status).toBe(1);
    expect(w.summary()).toContain('- p-prod-network: `Vpc` (AWS::EC2::VPC) MODIFIED');
  });
});

describe('gantry-notify.sh', () => {
  it('never fails the job when Slack fails, and says so', () => {
    const w = world({}, {});
    fs.writeFileSync(path.join(w.dir, 'bin/curl'), '#!/usr/bin/env bash\necho "curl: (22) The requested URL returned error: 500" >&2\nexit 22\n', { mode: 0o755 });
    const { status, out } = w.run('gantry-notify.sh', { SLACK_WEBHOOK_URL: 'https://hooks.slack.invalid/x', JOB_STATUS: 'success', WHAT: 'deploy' });
    expect(status).toBe(0);
    expect(out).toContain('::warning title=Slack not told::the Slack webhook failed: curl: (22)');
  });
});

describe('gantry-origin-secret.sh', () => {
  // GIVEN the origin tier in two regions and the edge, reading the secret the bootstrap replicated
  const secretId = 'p-prod/origin-verify';
  const v1 = 'v1'.padEnd(32, '0');
  const lookups = [
    { name: 'OriginHeaderVersion', lookup: 'secret-version', secretId, stage: 'AWSCURRENT' },
    { name: 'OriginHeaderPreviousVersion', lookup: 'secret-version', secretId, stage: 'AWSPREVIOUS' },
  ];
  const edge = { stackName: 'p-prod-edge', region: 'us-east-1', template: 'out/prod/global/edge.yaml', lookups: [lookups[0]] };
  const targets = { 'eu-west-1': [{ ...apiIn('eu-west-1'), tier: undefined, imageParameter: undefined, lookups }], 'eu-central-1': [{ ...apiIn('eu-central-1'), tier: undefined, imageParameter: undefined, lookups }], global: [edge] };
  const secret = { versions: { [v1]: ['AWSCURRENT'] }, values: { [v1]: 'first' }, replicas: ['eu-central-1', 'us-east-1'] };
  const at = (version: string, previous = version) => deployed({ parameters: { OriginHeaderVersion: version, OriginHeaderPreviousVersion: previous } });
  const fresh = () => world(targets, {
    secrets: { 'eu-west-1': { [secretId]: structuredClone(secret) }, 'eu-central-1': { [secretId]: { ...structuredClone(secret), replicas: undefined, primary: 'eu-west-1' } }, 'us-east-1': { [secretId]: { ...structuredClone(secret), replicas: undefined, primary: 'eu-west-1' } } },
    stacks: { 'eu-west-1': { 'p-prod-api': at(v1) }, 'eu-central-1': { 'p-prod-api': at(v1) }, 'us-east-1': { 'p-prod-edge': deployed({ parameters: { OriginHeaderVersion: v1 } }) } },
    nextPassword: 'generated0by0secrets0manager0000000000000000000000000000000000ab',
  });
  const env = (action: string) => ({ ACTION: action, SECRET_ID: secretId, SECRET_REGION: 'eu-west-1', TARGETS: 'eu-west-1 eu-central-1 global' });
  const deploy = (w: ReturnType<typeof world>) => w.run('gantry-deploy.sh', { TARGETS: 'eu-west-1 eu-central-1 global', CHANGE_SET: 'gantry-deploy-77-1', EXECUTION_ROLE_ARN: 'arn:exec' });

  it('rotates, deploys both values to the load balancers then the new one to CloudFront, finishes, and deploys the old one away', () => {
    const w = fresh();
    // WHEN a rotation starts THEN Secrets Manager generated the new value (no upper case, no punctuation), with no newline, and the old one is previous
    expect(w.run('gantry-origin-secret.sh', env('rotate'))).toEqual({ status: 0, out: expect.stringContaining('new current version') });
    const v2 = 'v2'.padEnd(32, '0');
    const secrets = () => w.state().secrets as Record<string, Record<string, unknown>>;
    expect(secrets()['eu-west-1']).toMatchObject({ [secretId]: { versions: { [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] }, values: { [v2]: 'generated0by0secrets0manager0000000000000000000000000000000000ab' } } });
    expect(w.state().randomPasswordOptions).toEqual(['--region --password-length --exclude-punctuation --exclude-uppercase --require-each-included-type --output']);
    expect(w.summary()).toContain('run **gantry: deploy**');
    // AND no value reached an argument list or the output
    expect([...w.calls(), w.run('gantry-origin-secret.sh', env('status')).out].join('\n')).not.toContain('generated0by0secrets0manager');
    // AND a second rotation before the first finished is refused
    expect(w.run('gantry-origin-secret.sh', env('rotate'))).toEqual({ status: 1, out: expect.stringContaining('::error title=A rotation is under way::') });
    // AND finishing before the deploy is refused: CloudFront still sends the old value
    expect(w.run('gantry-origin-secret.sh', env('finish'))).toEqual({ status: 1, out: expect.stringContaining('p-prod-edge (us-east-1) uses version') });

    // WHEN the environment deploys THEN each region's load balancer takes both versions, then the edge the new one
    expect(deploy(w).status).toBe(0);
    for (const region of ['eu-west-1', 'eu-central-1']) expect(w.state().stacks![region]!['p-prod-api']!.parameters).toEqual({ OriginHeaderVersion: v2, OriginHeaderPreviousVersion: v1 });
    expect(w.state().stacks!['us-east-1']!['p-prod-edge']!.parameters).toEqual({ OriginHeaderVersion: v2 });
    const order = w.calls().filter((c) => c.includes('execute-change-set')).map((c) => c.split(' ')[0]);
    expect(order).toEqual(['eu-west-1', 'eu-central-1', 'us-east-1']);

    // WHEN the rotation finishes and the environment deploys again THEN the old value is no longer accepted anywhere
    expect(w.run('gantry-origin-secret.sh', env('finish'))).toEqual({ status: 0, out: expect.stringContaining(`Dropped the previous version ${v1}`) });
    expect(secrets()['us-east-1']![secretId]).toMatchObject({ versions: { [v2]: ['AWSCURRENT'] } });
    expect(deploy(w).status).toBe(0);
    for (const region of ['eu-west-1', 'eu-central-1']) expect(w.state().stacks![region]!['p-prod-api']!.parameters).toEqual({ OriginHeaderVersion: v2, OriginHeaderPreviousVersion: v2 });
    expect(w.run('gantry-origin-secret.sh', env('finish'))).toEqual({ status: 0, out: expect.stringContaining('no rotation to finish') });
  });

  it('refuses to rotate while a stack does not use the current value (a deploy is pending)', () => {
    const w = fresh();
    const state = w.state();
    state.stacks!['us-east-1']!['p-prod-edge']!.parameters = { OriginHeaderVersion: 'v0'.padEnd(32, '0') };
    fs.writeFileSync(path.join(w.dir, 'state.json'), JSON.stringify(state));
    const { status, out } = w.run('gantry-origin-secret.sh', env('rotate'));
    expect(status).toBe(1);
    expect(out).toContain('::error title=Stacks behind the secret::');
    expect(w.calls().some((c) => c.includes('put-secret-value'))).toBe(false);
  });

  it('fails, naming the secret, when the bootstrap has not created it', () => {
    const w = world(targets, { secrets: {}, stacks: {} });
    const { status, out } = w.run('gantry-origin-secret.sh', env('rotate'));
    expect(status).toBe(1);
    expect(out).toContain(`::error title=Cannot read the origin secret::${secretId} in eu-west-1: deploy the bootstrap stack`);
  });

  it('waits for the replicas, and fails when they stay out of sync', () => {
    const w = fresh();
    const state = w.state();
    (state as Record<string, unknown>).replicationStatus = { 'us-east-1': 'InProgress' };
    fs.writeFileSync(path.join(w.dir, 'state.json'), JSON.stringify(state));
    const { status, out } = w.run('gantry-origin-secret.sh', { ...env('rotate'), GANTRY_REPLICATION_SECONDS: '0' });
    expect(status).toBe(1);
    expect(out).toContain('::error title=Replicas not in sync::');
  });
});
