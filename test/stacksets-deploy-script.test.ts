import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from './helpers';

/**
 * A stand-in for the AWS CLI: logs each call and answers as an account without the stack sets
 * would, so the rollout's calls can be checked without AWS. OPERATION_STATUS decides how every
 * stack set operation ends.
 */
const FAKE_AWS = `#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$AWS_LOG"
# The parameter overrides an instance is created with, as a line of their own.
for arg in "$@"; do case "$arg" in file://*.json) printf 'overrides %s\\n' "$(jq -c . "\${arg#file://}")" >> "$AWS_LOG" ;; esac; done
case "$*" in
  *describe-availability-zones*)
    region=$(printf '%s' "$*" | grep -o -- '--region [a-z0-9-]*' | cut -d' ' -f2)
    case "$region" in
      af-south-1) echo '{"AvailabilityZones": [{"ZoneName": "af-south-1a", "ZoneId": "afs1-az3"}, {"ZoneName": "af-south-1b", "ZoneId": "afs1-az1"}, {"ZoneName": "af-south-1c", "ZoneId": "afs1-az2"}]}' ;;
      eu-west-1)
        zones=\${EU_WEST_1_ZONES:-'{"ZoneId": "euw1-az2"}, {"ZoneId": "euw1-az1"}, {"ZoneId": "euw1-az3"}'}
        printf '{"AvailabilityZones": [%s]}\\n' "$zones" ;;
    esac ;;
  *describe-stack-set-operation*) echo "\${OPERATION_STATUS:-SUCCEEDED}" ;;
  *list-stack-set-operation-results*) printf '444444444444\\taf-south-1\\tFAILED\\tResource handler returned message: "boom"\\n' ;;
  *"describe-stack-set --stack-set-name medlogix-prod-network "*)
    if [ -n "\${OLD_NETWORK_SET:-}" ]; then echo '{"StackSet": {"TemplateBody": "old", "Parameters": [{"ParameterKey": "VpcCidr", "ParameterValue": "10.0.0.0/16"}]}}'; else echo "An error occurred (StackSetNotFoundException)" >&2; exit 254; fi ;;
  *describe-stack-set*|*describe-stack-instance*) echo "An error occurred (StackSetNotFoundException)" >&2; exit 254 ;;
  *create-stack-set*) echo '{"StackSetId": "id"}' ;;
  *create-stack-instances*) echo op-1 ;;
  *list-hosted-zones-by-name*) echo /hostedzone/Z0123456789 ;;
  *describe-managed-prefix-lists*) echo "pl-$(printf '%s' "$*" | grep -o -- '--region [a-z0-9-]*' | cut -d' ' -f2)" ;;
  *list-parents*) echo ou-ab12-cdef3456 ;;
  *describe-secret*) echo '{"Name": "medlogix-prod/origin-verify", "VersionIdsToStages": {"0123456789abcdef0123456789abcdef": ["AWSCURRENT"]}}' ;;
  *list-stack-instances*) echo arn:aws:cloudformation:af-south-1:444444444444:stack/StackSet-medlogix-prod-database-af-south-1-abc/1 ;;
  *describe-stacks*) echo arn:aws:rds:af-south-1:444444444444:db:medlogix-prod-database-database-abc ;;
  *) echo "unexpected call: $*" >&2; exit 1 ;;
esac
`;

async function rollout(args: string[], env: Record<string, string> = {}) {
  const out = tempDir();
  expect((await runCli(['export', '--spec', 'examples/medical-logistics.yaml', '--layout', 'stacksets', '--environment', 'prod', '--out', out])).code).toBe(0);
  const bin = path.join(out, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'aws'), FAKE_AWS, { mode: 0o755 });
  const log = path.join(out, 'aws.log');
  fs.writeFileSync(log, '');
  const run = spawnSync(path.join(out, 'prod', 'stacksets', 'deploy.sh'), args, {
    encoding: 'utf8',
    env: { PATH: `${bin}:${process.env.PATH}`, AWS_LOG: log, ...env },
  });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, calls: fs.readFileSync(log, 'utf8').trim().split('\n') };
}

const jq = spawnSync('jq', ['--version']);

describe('the stack sets rollout (deploy.sh)', () => {
  it('has jq, which it needs', () => {
    expect(jq.error ? 'jq is not installed' : jq.status).toBe(0);
  });

  it('creates each stack set, then its instances region by region, waiting for each operation (SELF_MANAGED)', async () => {
    const { status, calls, stdout } = await rollout([]);
    expect(status).toBe(0);
    expect(stdout).toContain('All stack sets are rolled out.');
    const creates = calls.filter((c) => /create-stack-(set|instances)/.test(c)).map((c) => {
      const name = /--stack-set-name (\S+)/.exec(c)![1];
      return c.includes('create-stack-set ') ? `set ${name}` : `instance ${name} ${/--regions (\S+)/.exec(c)![1]}`;
    });
    expect(creates).toEqual([
      'set medlogix-prod-notifications', 'instance medlogix-prod-notifications af-south-1', 'instance medlogix-prod-notifications eu-west-1',
      'set medlogix-prod-network', 'instance medlogix-prod-network af-south-1', 'instance medlogix-prod-network eu-west-1',
      // the standby's replica after the primary it reads its source from; the api tier differs by
      // region (the primary's reads the secret its database exports, the standby's the primary's by name)
      'set medlogix-prod-database-af-south-1', 'instance medlogix-prod-database-af-south-1 af-south-1',
      'set medlogix-prod-api-af-south-1', 'instance medlogix-prod-api-af-south-1 af-south-1',
      'set medlogix-prod-database-eu-west-1', 'instance medlogix-prod-database-eu-west-1 eu-west-1',
      'set medlogix-prod-api-eu-west-1', 'instance medlogix-prod-api-eu-west-1 eu-west-1',
      'set medlogix-prod-budget', 'instance medlogix-prod-budget us-east-1',
      'set medlogix-prod-edge', 'instance medlogix-prod-edge us-east-1',
    ]);
    // every call goes to the administration region; every instance operation is waited for
    expect(calls.filter((c) => c.startsWith('cloudformation')).every((c) => c.startsWith('cloudformation --region af-south-1 '))).toBe(true);
    expect(calls.filter((c) => c.includes('describe-stack-set-operation'))).toHaveLength(10);
    expect(calls.find((c) => c.includes('create-stack-set --stack-set-name medlogix-prod-network'))).toMatch(/--permission-model SELF_MANAGED --capabilities CAPABILITY_IAM$/);
    expect(calls.find((c) => c.includes('create-stack-instances --stack-set-name medlogix-prod-api-eu-west-1 --accounts 444444444444 --regions eu-west-1'))).toBeDefined();
    expect(calls.some((c) => c.includes('--call-as'))).toBe(false);
    // The subnets' zones by id, looked up in each instance's region (sorted, so the same every time):
    // the stack set's own parameters take the first region's, each instance overrides them with its own.
    const zones = calls.filter((c) => c.startsWith('overrides ') && c.includes('AvailabilityZoneIds'))
      .map((c) => (JSON.parse(c.slice('overrides '.length)) as { ParameterKey: string; ParameterValue: string }[]).find((p) => p.ParameterKey === 'AvailabilityZoneIds')?.ParameterValue);
    expect(zones).toEqual(['afs1-az1,afs1-az2,afs1-az3', 'afs1-az1,afs1-az2,afs1-az3', 'euw1-az1,euw1-az2,euw1-az3']);
  });

  it('refuses to move a network stack set an earlier gantry rolled out (zones by index) to zones by id', async () => {
    const { status, stderr, calls } = await rollout([], { OLD_NETWORK_SET: '1' });
    expect(status).toBe(1);
    expect(stderr).toContain('medlogix-prod-network was rolled out by an earlier gantry, with subnets placed by zone index');
    expect(calls.some((c) => c.includes('update-stack-set --stack-set-name medlogix-prod-network'))).toBe(false);
  });

  it('stops before a region that has fewer zones open to the account than the network needs', async () => {
    const { status, stderr, calls } = await rollout([], { EU_WEST_1_ZONES: '{"ZoneId": "euw1-az1"}' });
    expect(status).toBe(1);
    expect(stderr).toContain('cannot look up AvailabilityZoneIds in eu-west-1: it has fewer than 3 zones open to this account that can launch current instance types');
    expect(calls.some((c) => c.includes('create-stack-instances --stack-set-name medlogix-prod-network --accounts 444444444444 --regions eu-west-1'))).toBe(false);
  });

  it('targets the account inside its OU and calls as the delegated administrator (SERVICE_MANAGED)', async () => {
    const { status, calls } = await rollout(['--permission-model', 'SERVICE_MANAGED', '--call-as', 'DELEGATED_ADMIN']);
    expect(status).toBe(0);
    expect(calls).toContain('organizations list-parents --child-id 444444444444 --query Parents[0].Id --output text');
    const instance = calls.find((c) => c.includes('create-stack-instances --stack-set-name medlogix-prod-network'))!;
    expect(instance).toContain('--deployment-targets {"OrganizationalUnitIds":["ou-ab12-cdef3456"],"Accounts":["444444444444"],"AccountFilterType":"INTERSECTION"} --regions af-south-1');
    expect(instance).toMatch(/--call-as DELEGATED_ADMIN$/);
    expect(calls.find((c) => c.includes('create-stack-set --stack-set-name medlogix-prod-api-af-south-1'))).toContain('--permission-model SERVICE_MANAGED --auto-deployment Enabled=false');
  });

  it('takes the hosted zone id from --hosted-zone-id instead of looking it up', async () => {
    const { status, calls } = await rollout(['--hosted-zone-id', 'ZGIVEN']);
    expect(status).toBe(0);
    expect(calls.some((c) => c.includes('list-hosted-zones-by-name'))).toBe(false);
    expect(calls.find((c) => c.includes('create-stack-set --stack-set-name medlogix-prod-edge'))).toBeDefined();
  });

  it('stops at the first failed operation and says why', async () => {
    const { status, stderr, calls } = await rollout([], { OPERATION_STATUS: 'FAILED' });
    expect(status).toBe(1);
    expect(stderr).toMatch(/medlogix-prod-notifications: operation op-1 FAILED/);
    expect(stderr).toContain('Resource handler returned message: "boom"');
    expect(calls.filter((c) => c.includes('create-stack-instances'))).toHaveLength(1);
  });

  it('refuses an unknown permission model before calling AWS', async () => {
    const { status, stderr, calls } = await rollout(['--permission-model', 'BOTH']);
    expect([status, stderr.trim(), calls]).toEqual([2, '--permission-model must be SELF_MANAGED or SERVICE_MANAGED', ['']]);
  });
});
