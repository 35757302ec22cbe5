import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { validateTemplates } from '../generator/lint/validate-templates';
import { REPO_ROOT, runCli, tempDir } from './helpers';
import { nagFindings } from './nag';

const example = path.join(REPO_ROOT, 'examples/medical-logistics.yaml');

describe('gantry export', () => {
  it('writes a self-contained bundle for an environment and region', async () => {
    const out = tempDir();
    const result = await runCli(['export', '--spec', example, '--environment', 'prod', '--region', 'eu-west-1', '--out', out]);
    expect(result.code).toBe(0);
    const dir = path.join(out, 'prod', 'eu-west-1');
    const files = fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => !fs.statSync(path.join(dir, f)).isDirectory()).sort();
    expect(files).toEqual([
      '.gantry-manifest.json', 'README.md', 'deploy.sh',
      ...['01-notifications', '02-network', '03-database', '04-api', '05-budget', '06-edge'].map((f) => `parameters/${f}.json`),
      'stacks.json', 'tags.json',
      ...['01-notifications', '02-network', '03-database', '04-api', '05-budget', '06-edge'].map((f) => `templates/${f}.yaml`),
    ].sort());
    // the parameter files are in CloudFormation's form, which `deploy --parameter-overrides file://` reads
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'parameters/04-api.json'), 'utf8'))).toEqual([{ ParameterKey: 'ImageId', ParameterValue: '/medlogix/prod/api/ami' }]);
    const stacks = JSON.parse(fs.readFileSync(path.join(dir, 'stacks.json'), 'utf8')) as { stackName: string; region: string }[];
    expect(stacks.map((s) => `${s.stackName}@${s.region}`)).toEqual([
      'medlogix-prod-notifications@eu-west-1', 'medlogix-prod-network@eu-west-1', 'medlogix-prod-database@eu-west-1',
      'medlogix-prod-api@eu-west-1', 'medlogix-prod-budget@us-east-1', 'medlogix-prod-edge@us-east-1',
    ]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'tags.json'), 'utf8'))).toEqual([
      { Key: 'Environment', Value: 'prod' }, { Key: 'Project', Value: 'medlogix' },
      // gantry's own: its workflows then recognise these stacks as theirs.
      { Key: 'gantry:project', Value: 'medlogix' }, { Key: 'gantry:environment', Value: 'prod' },
    ]);
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toContain('| 4 | `medlogix-prod-api` | eu-west-1 |');
    expect(spawnSync('bash', ['-n', path.join(dir, 'deploy.sh')]).status).toBe(0);
  });

  it('deploy.sh creates a protected stack with deletion protection off, then turns it on; an existing stack keeps it on', async () => {
    const out = tempDir();
    expect((await runCli(['export', '--spec', example, '--environment', 'prod', '--region', 'eu-west-1', '--out', out])).code).toBe(0);
    const dir = path.join(out, 'prod', 'eu-west-1');
    const bin = path.join(out, 'bin');
    fs.mkdirSync(bin);
    // A stand-in for the AWS CLI: medlogix-prod-api exists, no other stack does; every lookup finds
    // something; each deploy logs its stack and the DeletionProtection it passes.
    fs.writeFileSync(path.join(bin, 'aws'), `#!/usr/bin/env bash
case "$*" in
  *describe-stacks*StackStatus*) if [[ "$*" == *"--stack-name medlogix-prod-api "* ]]; then echo UPDATE_COMPLETE; else echo "Stack does not exist" >&2; exit 254; fi ;;
  *describe-stacks*) echo arn:aws:kms:eu-west-1:111111111111:key/x ;;
  *list-hosted-zones-by-name*) echo /hostedzone/Z0123 ;;
  *describe-managed-prefix-lists*) echo pl-1 ;;
  *"secretsmanager describe-secret"*) echo '{"VersionIdsToStages": {"v-1": ["AWSCURRENT"]}}' ;;
  *"cloudformation deploy"*)
    while [ $# -gt 0 ]; do case "$1" in --stack-name) stack=$2 ;; --parameter-overrides) file=\${2#file://} ;; esac; shift; done
    echo "$stack $(jq -r '[.[] | select(.ParameterKey == "DeletionProtection") | .ParameterValue][0] // "-"' "$file" 2>/dev/null || echo -)" >> "$DEPLOYS" ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac
`, { mode: 0o755 });
    const deploys = path.join(out, 'deploys.log');
    const run = spawnSync('bash', [path.join(dir, 'deploy.sh')], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, DEPLOYS: deploys } });
    expect([run.status, run.stderr]).toEqual([0, '']);
    const lines = fs.readFileSync(deploys, 'utf8').trim().split('\n');
    // the database is created unprotected and protected right after; the existing api keeps its protection
    expect(lines.filter((l) => l.startsWith('medlogix-prod-database '))).toEqual(['medlogix-prod-database false', 'medlogix-prod-database true']);
    expect(lines.filter((l) => l.startsWith('medlogix-prod-api '))).toEqual(['medlogix-prod-api true']);
    expect(lines.filter((l) => l.startsWith('medlogix-prod-network '))).toEqual(['medlogix-prod-network -']);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'parameters/03-database.json'), 'utf8')).map((p: { ParameterKey: string }) => p.ParameterKey)).not.toContain('DeletionProtection');
  });

  it('rolls an environment out to a region the spec does not list, on the next free CIDR, with clean templates', async () => {
    const out = tempDir();
    const result = await runCli(['export', '--spec', example, '--environment', 'prod', '--region', 'eu-central-1', '--out', out]);
    expect(result.stdout).toContain("eu-central-1 is new to prod: it takes the environment's settings and the VPC CIDR 10.22.0.0/16.");
    const dir = path.join(out, 'prod', 'eu-central-1');
    expect(fs.readFileSync(path.join(dir, 'templates/02-network.yaml'), 'utf8')).toContain('CidrBlock: 10.22.0.0/16');
    const templates = fs.readdirSync(path.join(dir, 'templates')).map((f) => ({ path: f, content: fs.readFileSync(path.join(dir, 'templates', f), 'utf8') }));
    expect(validateTemplates(templates)).toEqual([]);
    expect(nagFindings(templates)).toEqual([]);
  }, 60_000);

  test.each([
    [['--cidr', '10.20.0.0/16'], /overlaps af-south-1/],
    [['--cidr', '10.60.0.0/16'], /VPC CIDR 10\.60\.0\.0\/16/],
  ])('takes a new region\'s CIDR from --cidr %j, validated like the spec', async (cidr, message) => {
    const result = await runCli(['export', '--spec', example, '--environment', 'prod', '--region', 'eu-north-1', '--out', tempDir(), ...cidr]);
    expect(result.stdout).toMatch(message);
  });

  it('exports every environment and region with --all', async () => {
    const out = tempDir();
    expect((await runCli(['export', '--spec', example, '--all', '--out', out])).code).toBe(0);
    expect(['preprod/af-south-1', 'prod/af-south-1', 'prod/eu-west-1'].map((d) => fs.existsSync(path.join(out, d, 'deploy.sh')))).toEqual([true, true, true]);
  });

  it('needs an environment and a region, or --all', async () => {
    expect((await runCli(['export', '--spec', example])).stderr).toMatch(/name --environment and --region, or give --all/);
  });
});
