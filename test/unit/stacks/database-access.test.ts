import { loadSpecText } from '../../../generator/spec/load';
import { checkLoadedSpec } from '../../../generator/pipeline';
import type { PlatformModel } from '../../../generator/model/types';
import { buildBootstrapTemplate } from '../../../generator/stacks/bootstrap';
import { buildTierTemplate } from '../../../generator/stacks/tier';

type Statement = { Sid: string; Action: unknown; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };
type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, any> }> };

function model(database: string, regions = '[eu-west-1]'): PlatformModel {
  const text = `version: 1\nproject: shop\ngithub: { repository: acme/shop }\ndatabase: ${database}\ntiers:\n  web: {}\n  api: {}\n  worker: {}\nenvironments:\n  prod: { account: "123456789012", regions: ${regions} }\n`;
  const loaded = loadSpecText('spec.yaml', Buffer.from(text));
  if (!loaded.ok) throw new Error(loaded.diagnostics[0]?.message);
  const report = checkLoadedSpec(loaded.spec);
  if (!report.model) throw new Error(report.diagnostics.map((d) => d.message).join('\n'));
  return report.model;
}
function roleStatements(m: PlatformModel, tier: string, regionIndex = 0): Statement[] {
  const environment = m.environments[0]!;
  const region = environment.regions[regionIndex]!;
  const template = buildTierTemplate(environment, region, region.tiers.find((t) => t.name === tier)!) as Template;
  const policies = (template.Resources.InstanceRole!.Properties!.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}
const bySid = (statements: Statement[]) => Object.fromEntries(statements.map((s) => [s.Sid, s]));

describe("the database's client tiers", () => {
  it('read the master secret, decrypt it only through Secrets Manager, and connect as their own database user to the instance and its replicas', () => {
    // GIVEN a database with one replica and clients api and worker  WHEN the api tier is built  THEN its role holds exactly those rights
    const m = model('{ engine: postgres, version: "16.8", readReplicas: 1, clients: [api, worker] }');
    const statements = bySid(roleStatements(m, 'api'));
    expect(Object.keys(statements).sort()).toEqual(['ConnectAsThisTiersDatabaseUser', 'DecryptTheDatabaseSecret', 'ReadTheDatabaseSecret']);
    expect(statements.ReadTheDatabaseSecret!.Resource).toEqual({ 'Fn::ImportValue': 'shop-prod-database-MasterSecretArn' });
    expect(statements.DecryptTheDatabaseSecret).toMatchObject({
      Action: 'kms:Decrypt', Resource: { 'Fn::ImportValue': 'shop-prod-database-KeyArn' },
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'secretsmanager.${AWS::Region}.amazonaws.com' } } },
    });
    expect(statements.ConnectAsThisTiersDatabaseUser!.Resource).toEqual(['DatabaseResourceId', 'ReadReplica1ResourceId'].map((id) => ({
      'Fn::Sub': ['arn:${AWS::Partition}:rds-db:${AWS::Region}:${AWS::AccountId}:dbuser:${ResourceId}/api', { ResourceId: { 'Fn::ImportValue': `shop-prod-database-${id}` } }],
    })));
  });

  it('gives the tiers that are not clients nothing', () => {
    const m = model('{ engine: postgres, version: "16.8", clients: [api] }');
    expect(roleStatements(m, 'web')).toEqual([]);
    expect(roleStatements(m, 'worker')).toEqual([]);
    expect(roleStatements(m, 'api').length).toBeGreaterThan(0);
  });

  it('gives SQL Server clients the secret only: SQL Server has no IAM database authentication', () => {
    const m = model('{ engine: sqlserver-se, version: 15.00.4460.4.v1, instanceClass: db.m5.large, clients: [api] }');
    expect(roleStatements(m, 'api').map((s) => s.Sid)).toEqual(['ReadTheDatabaseSecret', 'DecryptTheDatabaseSecret']);
  });

  it("in a standby, read the primary region's secret by name and connect to their own region's replica", () => {
    const m = model('{ engine: postgres, version: "16.8", multiAz: true, instanceClass: db.m5.large, clients: [api] }', '[eu-west-1, { name: eu-central-1, cidr: 10.1.0.0/16 }]');
    const statements = bySid(roleStatements(m, 'api', 1));
    const secret = 'arn:${AWS::Partition}:secretsmanager:eu-west-1:${AWS::AccountId}:secret:shop-prod-database-master-??????';
    expect(statements.ReadTheDatabaseSecret!.Resource).toEqual({ 'Fn::Sub': secret });
    expect(statements.DecryptTheDatabaseSecret!.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' },
      StringLike: { 'kms:EncryptionContext:SecretARN': { 'Fn::Sub': secret } },
    });
    expect(statements.ConnectAsThisTiersDatabaseUser!.Resource).toHaveLength(1);
  });
});

describe('the permissions boundary', () => {
  it("caps secret reads at the environment's and RDS's secrets and allows IAM database connections, so the client roles' grants take effect", () => {
    const m = model('{ engine: postgres, version: "16.8", clients: [api] }');
    const template = buildBootstrapTemplate(m, m.environments[0]!) as Template;
    const statements = bySid(template.Resources.PermissionsBoundary!.Properties!.PolicyDocument.Statement as Statement[]);
    expect(statements.DatabaseSecrets).toMatchObject({
      Action: 'secretsmanager:GetSecretValue',
      Resource: [
        { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:*:${AWS::AccountId}:secret:shop-prod-*' },
        { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:*:${AWS::AccountId}:secret:rds!db-*' },
      ],
    });
    // IAM database authentication works within the account only: rds-db:connect sits with the actions on "*".
    expect(statements.WhatThePlatformsRolesMayDo!.Action).toContain('rds-db:connect');
    // Decrypting a secret through Secrets Manager is kms:Decrypt, which the boundary already allows.
    expect(statements.WhatThePlatformsRolesMayDo!.Action).toContain('kms:Decrypt');
  });
});
