/**
 * The stand-in AWS on its own, through the real AWS CLI: what it denies, and that a hand-made break
 * in generated files is named by the rehearsal (the reviewer's use of `--out/--workflows`).
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './rehearsal';
import { runScenarios } from './scenarios';
import { Authorizer } from './aws/iam';
import { evaluateTemplate } from './aws/template';
import { replacement, unchangedCustomName } from './aws/cloudformation';
import { AWS_CLI, awsCliEnvironment, startForkServer } from './aws/cli';
import { StandIn } from './aws/server';
import { tempDir } from '../helpers';

describe('stand-in IAM', () => {
  test('a region outside the policy is denied, a listed one allowed, a condition is evaluated', async () => {
    const authorizer = new Authorizer();
    const caller = {
      account: '111111111111', arn: 'arn:aws:sts::111111111111:assumed-role/deploy/s',
      role: {
        name: 'deploy', arn: 'arn:aws:iam::111111111111:role/deploy', trust: { Statement: [] }, managedPolicyArns: [], maxSessionDuration: 3600,
        policies: [{ name: 'p', document: { Version: '2012-10-17', Statement: [
          { Effect: 'Allow' as const, Action: 'cloudformation:CreateChangeSet', Resource: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/shop-*/*' },
          { Effect: 'Allow' as const, Action: 'iam:PassRole', Resource: 'arn:aws:iam::111111111111:role/exec', Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } } },
        ] } }],
      },
    };
    expect(await authorizer.check(caller, 'cloudformation:CreateChangeSet', 'arn:aws:cloudformation:eu-west-1:111111111111:stack/shop-api/1')).toBeUndefined();
    const denied = await authorizer.check(caller, 'cloudformation:CreateChangeSet', 'arn:aws:cloudformation:us-east-1:111111111111:stack/shop-edge/1');
    expect(denied?.message).toMatch(/not authorized to perform: cloudformation:CreateChangeSet on resource: arn:aws:cloudformation:us-east-1/);
    expect(await authorizer.check(caller, 'iam:PassRole', 'arn:aws:iam::111111111111:role/exec', { 'iam:PassedToService': 'cloudformation.amazonaws.com' })).toBeUndefined();
    expect(await authorizer.check(caller, 'iam:PassRole', 'arn:aws:iam::111111111111:role/exec', { 'iam:PassedToService': 'ec2.amazonaws.com' })).toBeDefined();
    expect(authorizer.denials.map((d) => d.action)).toEqual(['cloudformation:CreateChangeSet', 'iam:PassRole']);
  });

  test('templates: a missing export fails with CloudFormation\'s message; Sub and GetAtt resolve', () => {
    const ctx = {
      account: '111111111111', region: 'eu-west-1', stackName: 'shop-api', stackId: 'id', parameters: {}, existing: new Map(),
      importValue: (name: string) => (name === 'shop-network-VpcId' ? 'vpc-1' : undefined), resolveSsm: () => 'ami-1',
    };
    const template = {
      Resources: {
        Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'shop-api-role' } },
        Group: { Type: 'AWS::EC2::SecurityGroup', Properties: { VpcId: { 'Fn::ImportValue': 'shop-network-VpcId' }, GroupDescription: { 'Fn::Sub': '${AWS::StackName} uses ${Role.Arn}' } } },
      },
    };
    const evaluated = evaluateTemplate(template, {}, ctx);
    expect(evaluated.resources.find((r) => r.logicalId === 'Group')?.properties).toEqual({ VpcId: 'vpc-1', GroupDescription: 'shop-api uses arn:aws:iam::111111111111:role/shop-api-role' });
    const missing = { Resources: { X: { Type: 'AWS::EC2::SecurityGroup', Properties: { VpcId: { 'Fn::ImportValue': 'shop-network-Other' } } } } };
    expect(() => evaluateTemplate(missing, {}, ctx)).toThrow('No export named shop-network-Other found');
  });
});

describe('a hand-made break is named', () => {
  test('dropping iam:PassRole from the deploy role: the first deploy names the denied call', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'examples'));
    fs.copyFileSync(path.join(REPO_ROOT, 'examples/minimal.yaml'), path.join(dir, 'examples/minimal.yaml'));
    fs.cpSync(path.join(REPO_ROOT, 'output/minimal'), path.join(dir, 'output/minimal'), { recursive: true });
    const bootstrap = path.join(dir, 'output/minimal/prod/bootstrap.yaml');
    const text = fs.readFileSync(bootstrap, 'utf8');
    const broken = text.replace(/( +)- Sid: PassTheExecutionRoleToCloudFormation\n(\1  .*\n)+/, '');
    expect(broken).not.toBe(text);
    fs.writeFileSync(bootstrap, broken);
    const [result] = await runScenarios({ kind: 'generated', cwd: dir, spec: 'examples/minimal.yaml', out: 'output/minimal', workflows: 'output/minimal/.github/workflows' }, ['first-deploy']);
    expect(result?.ok).toBe(false);
    expect(result?.problems.join('\n')).toMatch(/gantry-deploy\.yml › Deploy prod › "[^"]+" failed; denied: iam:PassRole on arn:aws:iam::123456789012:role\/acme-shop-prod-cfn-exec/);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 600_000);
});

describe('stand-in CloudFormation: what a change set says of a modified resource', () => {
  test('a create-only property replaces, a conditional one may, another updates in place', () => {
    expect(replacement('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' }, { CidrBlock: '10.1.0.0/16' })).toBe('True');
    expect(replacement('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16', Tags: [] }, { CidrBlock: '10.0.0.0/16', Tags: [{ Key: 'a', Value: 'b' }] })).toBe('False');
    expect(replacement('AWS::AutoScaling::AutoScalingGroup', { LaunchTemplate: { Version: '1' } }, { LaunchTemplate: { Version: '2' } })).toBe('Conditional');
  });

  test('replacing a resource whose custom name stays the same is refused; a renamed one is not', () => {
    expect(unchangedCustomName('AWS::ElasticLoadBalancingV2::TargetGroup', { Name: 'shop-web', Port: 80 }, { Name: 'shop-web', Port: 8080 })).toBe('Name shop-web');
    expect(unchangedCustomName('AWS::ElasticLoadBalancingV2::TargetGroup', { Name: 'shop-web', Port: 80 }, { Name: 'shop-web-2', Port: 8080 })).toBeUndefined();
    expect(unchangedCustomName('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' }, { CidrBlock: '10.1.0.0/16' })).toBeUndefined();
    const budget = (name: string, threshold: number) => ({ Budget: { BudgetName: name }, NotificationsWithSubscribers: [{ Notification: { Threshold: threshold } }] });
    expect(replacement('AWS::Budgets::Budget', budget('b', 50), budget('b', 60))).toBe('True');
    expect(unchangedCustomName('AWS::Budgets::Budget', budget('b', 50), budget('b', 60))).toBe('BudgetName b');
    expect(unchangedCustomName('AWS::Budgets::Budget', budget('b-1', 50), budget('b-2', 60))).toBeUndefined();
  });
});

describe('stand-in CloudFormation: the states a change set cannot start from', () => {
  test('a stack whose update rollback failed takes no change set until ContinueUpdateRollback has run', async () => {
    const standIn = new StandIn();
    await standIn.start();
    try {
      const dir = tempDir();
      const env = { ...awsCliEnvironment(dir, standIn.url), AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: standIn.world.adminKey('111111111111'), AWS_SECRET_ACCESS_KEY: 'x' };
      const aws = (...args: string[]) => new Promise<{ code: number; out: string }>((resolve) => {
        execFile(AWS_CLI, ['--endpoint-url', standIn.url, 'cloudformation', ...args], { env }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }));
      });
      fs.writeFileSync(path.join(dir, 'topic.yaml'), 'Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n');
      const changeSet = (name: string, type: string) => aws('create-change-set', '--stack-name', 'shop-topic', '--change-set-name', name, '--change-set-type', type, '--template-body', `file://${path.join(dir, 'topic.yaml')}`);
      expect((await changeSet('first', 'CREATE')).code).toBe(0);
      expect((await aws('execute-change-set', '--stack-name', 'shop-topic', '--change-set-name', 'first')).code).toBe(0);
      const stack = standIn.world.region('111111111111', 'eu-west-1').stacks.find((s) => s.name === 'shop-topic');
      expect(stack?.status).toBe('CREATE_COMPLETE');
      stack!.status = 'UPDATE_ROLLBACK_FAILED';

      const refused = await changeSet('second', 'UPDATE');
      expect(refused.code).not.toBe(0);
      expect(refused.out).toMatch(/is in UPDATE_ROLLBACK_FAILED state and can not be updated/);
      expect((await aws('continue-update-rollback', '--stack-name', 'shop-topic')).code).toBe(0);
      expect(stack?.status).toBe('UPDATE_ROLLBACK_COMPLETE');
      expect((await changeSet('third', 'UPDATE')).code).toBe(0);
    } finally {
      await standIn.stop();
    }
  }, 120_000);
});

describe('the AWS CLI wrapper', () => {
  const haveCli = fs.existsSync(AWS_CLI);
  (haveCli ? test : test.skip)('through the fork server it prints, reads stdin and exits as the CLI run afresh does', async () => {
    const dir = tempDir();
    // Started as the rehearsal starts it, in its callers' environment.
    const server = await startForkServer(dir, awsCliEnvironment(path.join(dir, 'forked'), 'http://127.0.0.1:9'));
    const run = (env: Record<string, string>, args: string[], input = '') => spawnSync('aws', args, { env: { ...env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_REGION: 'eu-west-1' }, input, encoding: 'utf8', cwd: dir });
    try {
      const direct = awsCliEnvironment(path.join(dir, 'direct'), 'http://127.0.0.1:9');
      expect(server).toBeDefined();
      const viaServer = awsCliEnvironment(path.join(dir, 'forked'), 'http://127.0.0.1:9', server);
      for (const args of [['--version'], ['sts', 'no-such-command'], ['cloudformation', 'validate-template', '--template-body', 'file:///nonexistent'],
        ['s3', 'ls', 's3://artifacts']]) {
        const [a, b] = [run(direct, args), run(viaServer, args)];
        expect({ args, status: b.status, stdout: b.stdout, stderr: b.stderr }).toEqual({ args, status: a.status, stdout: a.stdout, stderr: a.stderr });
      }
      // A call's settings (a profile) are its own, as in a fresh CLI.
      const [a, b] = [run({ ...direct, AWS_PROFILE: 'other' }, ['sts', 'get-caller-identity']), run({ ...viaServer, AWS_PROFILE: 'other' }, ['sts', 'get-caller-identity'])];
      expect(b.stderr).toMatch(/config profile \(other\) could not be found/);
      expect([b.status, b.stdout, b.stderr]).toEqual([a.status, a.stdout, a.stderr]);
      // Its workers serve one call after another: nothing of a call (its --region, its profile) reaches the next.
      for (let i = 0; i < 6; i++) {
        for (const [env, args] of [[{}, ['configure', 'list', '--region', 'us-west-2']], [{ AWS_PROFILE: 'other' }, ['configure', 'list']], [{}, ['configure', 'list']]] as const) {
          const [x, y] = [run({ ...direct, ...env }, [...args]), run({ ...viaServer, ...env }, [...args])];
          expect({ args, status: y.status, stdout: y.stdout, stderr: y.stderr }).toEqual({ args, status: x.status, stdout: x.stdout, stderr: x.stderr });
        }
      }
      // A parameter read from standard input (a shell pipe) reaches the CLI: the request goes out and fails to connect.
      const piped = (env: Record<string, string>) => spawnSync('sh', ['-c', `printf v | aws ssm put-parameter --name /x --type String --value file:///dev/stdin`],
        { env: { ...env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_REGION: 'eu-west-1' }, encoding: 'utf8', cwd: dir });
      const [c, d] = [piped(direct), piped(viaServer)];
      expect(d.stderr).toMatch(/Could not connect to the endpoint URL/);
      expect([d.status, d.stdout, d.stderr]).toEqual([c.status, c.stdout, c.stderr]);
    } finally {
      server?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
