/**
 * The stand-in's Secrets Manager, through the real AWS CLI, as the bootstrap, the stacks and
 * gantry-origin-secret.sh use it: a secret and its replicas from CloudFormation, a rotation in
 * versions and staging labels, the read-only replicas, dynamic references resolved as the role
 * CloudFormation acts as, and the denials AWS answers with.
 */
import { execFile } from 'node:child_process';
import { awsCliEnvironment } from './aws/cli';
import { StandIn } from './aws/server';
import type { Role } from './aws/iam';
import type { ResourceEvent } from './aws/world';
import { parseSecretReference, randomPassword } from './aws/secretsmanager';
import { tempDir } from '../helpers';

const ACCOUNT = '333333333333';
const NAME = 'shop-prod/origin-verify';
const ARN = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:${NAME}-AbC123`;

function aws(env: Record<string, string>, key: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('aws', [...args, '--output', 'json'], { env: { ...env, AWS_ACCESS_KEY_ID: key, AWS_SECRET_ACCESS_KEY: 'x', AWS_SESSION_TOKEN: 't' } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }));
  });
}

function session(standIn: StandIn, name: string, statements: Role['policies'][number]['document']['Statement']) {
  const role: Role = { name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, trust: { Statement: [] }, managedPolicyArns: [], maxSessionDuration: 3600, policies: [{ name: 'p', document: { Version: '2012-10-17', Statement: statements } }] };
  const key = `ASIA${name.toUpperCase().replace(/[^A-Z]/g, '')}${ACCOUNT}`;
  const caller = { account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/test`, role };
  standIn.world.sessions.set(key, caller);
  return { key, caller };
}

// Each call runs the real AWS CLI afresh (a second or more on a busy machine).
jest.setTimeout(120_000);

describe('stand-in Secrets Manager', () => {
  const standIn = new StandIn();
  let env: Record<string, string>;
  let admin: string;
  const versions = async (region: string) => JSON.parse((await aws(env, admin, ['secretsmanager', 'describe-secret', '--region', region, '--secret-id', NAME])).out).VersionIdsToStages as Record<string, string[]>;
  beforeAll(async () => {
    await standIn.start();
    env = awsCliEnvironment(tempDir(), standIn.url);
    admin = standIn.world.adminKey(ACCOUNT);
    // What the bootstrap's AWS::SecretsManager::Secret makes CloudFormation do.
    const event: ResourceEvent = {
      op: 'create', account: ACCOUNT, region: 'eu-west-1', stackName: 'shop-prod-bootstrap',
      resource: { logicalId: 'OriginSecret', type: 'AWS::SecretsManager::Secret', physicalId: ARN, properties: {
        Name: NAME, GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, ExcludeUppercase: true }, ReplicaRegions: [{ Region: 'us-east-1' }],
      } },
    };
    expect(standIn.world.resourceChanged(event, true)).toBeUndefined();
    standIn.world.resourceChanged(event);
  });
  afterAll(() => standIn.stop());

  test('CloudFormation creates the secret with a generated value and a replica of the same name, ARN but for the region', async () => {
    const primary = standIn.secretsmanager.find(ACCOUNT, 'eu-west-1', NAME);
    expect(primary?.versions[0]?.value).toMatch(/^[a-z0-9]{64}$/);
    const described = JSON.parse((await aws(env, admin, ['secretsmanager', 'describe-secret', '--region', 'eu-west-1', '--secret-id', NAME])).out);
    expect([described.ARN, described.PrimaryRegion, described.ReplicationStatus]).toEqual([ARN, 'eu-west-1', [{ Region: 'us-east-1', Status: 'InSync' }]]);
    const replica = JSON.parse((await aws(env, admin, ['secretsmanager', 'describe-secret', '--region', 'us-east-1', '--secret-id', NAME])).out);
    expect([replica.ARN, replica.PrimaryRegion, replica.VersionIdsToStages]).toEqual([ARN.replace('eu-west-1', 'us-east-1'), 'eu-west-1', described.VersionIdsToStages]);
  });

  test('a rotation: put-secret-value makes the old version AWSPREVIOUS; removing AWSPREVIOUS deprecates it; the replica follows and refuses writes', async () => {
    const [first] = Object.keys(await versions('eu-west-1'));
    const password = JSON.parse((await aws(env, admin, ['secretsmanager', 'get-random-password', '--region', 'eu-west-1', '--password-length', '64', '--exclude-punctuation', '--exclude-uppercase'])).out).RandomPassword;
    expect(password).toMatch(/^[a-z0-9]{64}$/);
    const put = await aws(env, admin, ['secretsmanager', 'put-secret-value', '--region', 'eu-west-1', '--secret-id', NAME, '--secret-string', password]);
    expect(put.code).toBe(0);
    const second = JSON.parse(put.out).VersionId as string;
    expect(await versions('us-east-1')).toEqual({ [first as string]: ['AWSPREVIOUS'], [second]: ['AWSCURRENT'] });
    const value = JSON.parse((await aws(env, admin, ['secretsmanager', 'get-secret-value', '--region', 'us-east-1', '--secret-id', NAME, '--version-stage', 'AWSCURRENT'])).out);
    expect([value.VersionId, value.SecretString]).toEqual([second, password]);
    const onReplica = await aws(env, admin, ['secretsmanager', 'put-secret-value', '--region', 'us-east-1', '--secret-id', NAME, '--secret-string', 'x']);
    expect([onReplica.code, onReplica.out]).toEqual([254, expect.stringMatching(/InvalidRequestException.*replica secret/)]);
    const wrong = await aws(env, admin, ['secretsmanager', 'update-secret-version-stage', '--region', 'eu-west-1', '--secret-id', NAME, '--version-stage', 'AWSPREVIOUS', '--remove-from-version-id', second]);
    expect(wrong.out).toMatch(/InvalidParameterException/);
    const drop = await aws(env, admin, ['secretsmanager', 'update-secret-version-stage', '--region', 'eu-west-1', '--secret-id', NAME, '--version-stage', 'AWSPREVIOUS', '--remove-from-version-id', first as string]);
    expect(drop.code).toBe(0);
    expect(await versions('us-east-1')).toEqual({ [second]: ['AWSCURRENT'] });
  });

  test('each call is authorised on the secret\'s ARN: a role limited to DescribeSecret cannot read or change the value', async () => {
    const { key } = session(standIn, 'lookups', [{ Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: `arn:aws:secretsmanager:*:${ACCOUNT}:secret:${NAME}-??????` }]);
    expect((await aws(env, key, ['secretsmanager', 'describe-secret', '--region', 'us-east-1', '--secret-id', NAME])).code).toBe(0);
    const read = await aws(env, key, ['secretsmanager', 'get-secret-value', '--region', 'us-east-1', '--secret-id', NAME]);
    expect(read.out).toMatch(/AccessDeniedException.*secretsmanager:GetSecretValue/);
    expect((await aws(env, key, ['secretsmanager', 'get-random-password', '--region', 'us-east-1'])).out).toMatch(/AccessDeniedException/);
  });

  test('dynamic references resolve in the stack\'s region, by version id, as the acting role; a missing version or permission fails the resource', async () => {
    const current = standIn.secretsmanager.current(standIn.secretsmanager.find(ACCOUNT, 'us-east-1', NAME)!)!;
    const { caller: exec } = session(standIn, 'exec', [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }]);
    const { caller: none } = session(standIn, 'none', [{ Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: '*' }]);
    const header = (id: string) => ({ HeaderName: 'X-Origin-Verify', HeaderValue: `{{resolve:secretsmanager:${NAME}:SecretString:::${id}}}` });
    expect(await standIn.secretsmanager.resolveReferences(exec, ACCOUNT, 'us-east-1', header(current.id))).toEqual({ resolved: { HeaderName: 'X-Origin-Verify', HeaderValue: current.value } });
    expect(await standIn.secretsmanager.resolveReferences(exec, ACCOUNT, 'us-east-1', header('00000000-0000-4000-8000-000000000000'))).toEqual({ error: expect.stringMatching(/can't find the specified secret value for VersionId/) });
    expect(await standIn.secretsmanager.resolveReferences(exec, ACCOUNT, 'ap-south-1', header(current.id))).toEqual({ error: expect.stringMatching(/can't find the specified secret/) });
    expect(await standIn.secretsmanager.resolveReferences(none, ACCOUNT, 'us-east-1', header(current.id))).toEqual({ error: expect.stringMatching(/not authorized to perform: secretsmanager:GetSecretValue/) });
  });

  test('references by ARN with a JSON key, and generation options', () => {
    expect(parseSecretReference(`${ARN}:SecretString:password`)).toEqual({ secretId: ARN, jsonKey: 'password' });
    expect(parseSecretReference(`${NAME}:SecretString::AWSPREVIOUS:`)).toEqual({ secretId: NAME, stage: 'AWSPREVIOUS' });
    expect(randomPassword({ PasswordLength: 12, ExcludeCharacters: 'abc', ExcludePunctuation: true }, 's')).toMatch(/^(?=.*[A-Z])(?=.*[0-9])(?=.*[d-z])[A-Za-z0-9]{12}$/);
    expect(randomPassword({ PasswordLength: 12, ExcludeCharacters: 'abc', ExcludePunctuation: true }, 's')).not.toMatch(/[abc]/);
  });
});
