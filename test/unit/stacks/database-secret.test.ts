import { loadSpecText } from '../../../generator/spec/load';
import { checkLoadedSpec } from '../../../generator/pipeline';
import type { PlatformModel } from '../../../generator/model/types';
import { buildDatabaseTemplate, MASTER_PASSWORD_EXCLUDED } from '../../../generator/stacks/database';
import { needsOwnMasterSecret } from '../../../generator/stacks/names';

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string; Metadata?: any }>; Outputs?: Record<string, any> };

function model(database: string, regions = '[eu-west-1]'): PlatformModel {
  const text = `version: 1\nproject: shop\ngithub: { repository: acme/shop }\ndatabase: ${database}\ntiers:\n  web: {}\nenvironments:\n  prod: { account: "123456789012", regions: ${regions} }\n`;
  const loaded = loadSpecText('spec.yaml', Buffer.from(text));
  if (!loaded.ok) throw new Error(loaded.diagnostics[0]?.message);
  const report = checkLoadedSpec(loaded.spec);
  if (!report.model) throw new Error(report.diagnostics.map((d) => d.message).join('\n'));
  return report.model;
}
const primaryTemplate = (m: PlatformModel) => buildDatabaseTemplate(m.environments[0]!, m.environments[0]!.regions[0]!) as Template;
const twoRegions = '[eu-west-1, { name: eu-central-1, cidr: 10.1.0.0/16 }]';

describe('the master secret of a database with replicas', () => {
  // GIVEN engines and replica layouts  WHEN the primary's template is built  THEN RDS manages the password only where it can have replicas
  test.each([
    ['postgres with a read replica', '{ engine: postgres, version: "16.8", readReplicas: 1 }', '[eu-west-1]', true],
    ['mysql with a cross-region replica', '{ engine: mysql, version: "8.0.40", multiAz: true, instanceClass: db.m5.large }', twoRegions, true],
    ['mariadb alone', '{ engine: mariadb, version: "10.11.10" }', '[eu-west-1]', false],
    ['postgres alone', '{ engine: postgres, version: "16.8" }', '[eu-west-1]', false],
    ['SQL Server Enterprise with a read replica', '{ engine: sqlserver-ee, version: 16.00.4165.4.v1, instanceClass: db.m6i.xlarge, readReplicas: 1 }', '[eu-west-1]', false],
  ])('%s: own secret %s', (_name, database, regions, own) => {
    const m = model(database, regions);
    expect(needsOwnMasterSecret(m.environments[0]!, m.environments[0]!.regions[0]!.database!)).toBe(own);
    const template = primaryTemplate(m);
    const instance = template.Resources.Database!.Properties!;
    if (own) {
      expect(instance).not.toHaveProperty('ManageMasterUserPassword');
      expect(instance).not.toHaveProperty('MasterUserSecret');
      expect(instance.MasterUserPassword).toEqual({ 'Fn::Sub': '{{resolve:secretsmanager:${MasterSecret}:SecretString:password}}' });
      expect(template.Resources.MasterSecretAttachment).toEqual({
        Type: 'AWS::SecretsManager::SecretTargetAttachment',
        Properties: { SecretId: { Ref: 'MasterSecret' }, TargetId: { Ref: 'Database' }, TargetType: 'AWS::RDS::DBInstance' },
      });
      expect(template.Outputs!.MasterSecretArn.Value).toEqual({ Ref: 'MasterSecret' });
    } else {
      expect(instance).toMatchObject({ ManageMasterUserPassword: true, MasterUserSecret: { KmsKeyId: { Ref: 'DatabaseKey' } } });
      expect(instance).not.toHaveProperty('MasterUserPassword');
      expect(template.Resources.MasterSecret).toBeUndefined();
      expect(template.Outputs!.MasterSecretArn.Value).toEqual({ 'Fn::GetAtt': 'Database.MasterUserSecret.SecretArn' });
    }
  });

  it('generates the password in Secrets Manager, encrypted with the database key, without the characters RDS refuses, and keeps it', () => {
    const secret = primaryTemplate(model('{ engine: postgres, version: "16.8", readReplicas: 1 }')).Resources.MasterSecret!;
    expect(secret.Type).toBe('AWS::SecretsManager::Secret');
    // Kept, except when its first creation rolls back (a retry would fail on the secret's fixed name).
    expect(secret.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect((secret as { UpdateReplacePolicy?: string }).UpdateReplacePolicy).toBe('Retain');
    expect(secret.Properties).toMatchObject({
      Name: 'shop-prod-database-master',
      KmsKeyId: { Ref: 'DatabaseKey' },
      GenerateSecretString: { SecretStringTemplate: '{"username":"gantry_admin"}', GenerateStringKey: 'password', PasswordLength: 32, ExcludeCharacters: MASTER_PASSWORD_EXCLUDED },
    });
    for (const refused of ['/', '"', '@', "'", ' ']) expect(MASTER_PASSWORD_EXCLUDED).toContain(refused);
    expect(secret.Metadata.cdk_nag.rules_to_suppress.map((r: { id: string }) => r.id)).toEqual(['AwsSolutions-SMG4']);
  });

  it('leaves the standby replica without a master password of its own (it comes from the source)', () => {
    const m = model('{ engine: postgres, version: "16.8", multiAz: true, instanceClass: db.m5.large }', twoRegions);
    const standby = buildDatabaseTemplate(m.environments[0]!, m.environments[0]!.regions[1]!) as Template;
    for (const absent of ['MasterUserPassword', 'ManageMasterUserPassword', 'MasterUserSecret']) expect(standby.Resources.Database!.Properties).not.toHaveProperty(absent);
    expect(standby.Resources.MasterSecret).toBeUndefined();
  });
});
