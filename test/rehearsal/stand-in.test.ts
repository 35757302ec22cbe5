/**
 * The stand-in AWS on its own, through the real AWS CLI: what it denies, and that a hand-made break
 * in generated files is named by the rehearsal (the reviewer's use of `--out/--workflows`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './rehearsal';
import { runScenarios } from './scenarios';
import { Authorizer } from './aws/iam';
import { evaluateTemplate } from './aws/template';
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
