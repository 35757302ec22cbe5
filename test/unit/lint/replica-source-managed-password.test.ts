import { dump } from 'js-yaml';
import { checkTemplateRules } from '../../../generator/lint/template-rules';
import { replicaSourceManagedPasswordRule } from '../../../generator/lint/rules/replica-source-managed-password';
import { TEMPLATE_RULES } from '../../../generator/lint/rules';

const file = (path: string, body: Record<string, unknown>) => ({ path, content: dump({ AWSTemplateFormatVersion: '2010-09-09', ...body }) });
const source = (engine: string, managed: boolean) => ({
  Type: 'AWS::RDS::DBInstance',
  Properties: {
    Engine: engine, MasterUsername: 'admin',
    ...(managed ? { ManageMasterUserPassword: true } : { MasterUserPassword: { 'Fn::Sub': '{{resolve:secretsmanager:${MasterSecret}:SecretString:password}}' } }),
  },
});
const sameRegionReplica = { Type: 'AWS::RDS::DBInstance', Properties: { SourceDBInstanceIdentifier: { Ref: 'Database' } } };
const primary = (engine: string, managed: boolean) => file('prod/eu-west-1/database.yaml', {
  Resources: { Database: source(engine, managed) },
  Outputs: { DatabaseArn: { Value: { 'Fn::GetAtt': ['Database', 'DBInstanceArn'] } } },
});
const crossRegionReplica = (environment = 'prod') => file(`${environment}/eu-central-1/database.yaml`, {
  Parameters: { SourceDatabaseArn: { Type: 'String' } },
  Resources: { Database: { Type: 'AWS::RDS::DBInstance', Properties: { SourceDBInstanceIdentifier: { Ref: 'SourceDatabaseArn' }, SourceRegion: 'eu-west-1' } } },
});

// GIVEN templates  WHEN GNT409 runs  THEN the source whose password RDS manages is reported where a replica of it exists
const cases: [string, { path: string; content: string }[], string[]][] = [
  ['postgres with a same-region replica and its own secret', [file('prod/eu-west-1/database.yaml', { Resources: { Database: source('postgres', false), ReadReplica1: sameRegionReplica } })], []],
  ['postgres with a same-region replica and a managed password', [file('prod/eu-west-1/database.yaml', { Resources: { Database: source('postgres', true), ReadReplica1: sameRegionReplica } })], ['GNT409 Database']],
  ['SQL Server Enterprise with a replica and a managed password', [file('prod/eu-west-1/database.yaml', { Resources: { Database: source('sqlserver-ee', true), ReadReplica1: sameRegionReplica } })], []],
  ['mysql with a managed password and no replica', [file('prod/eu-west-1/database.yaml', { Resources: { Database: source('mysql', true) } })], []],
  ['mysql with a cross-region replica in the same environment and a managed password', [primary('mysql', true), crossRegionReplica()], ['GNT409 Database']],
  ['mysql with a cross-region replica and its own secret', [primary('mysql', false), crossRegionReplica()], []],
  ['a replica in another environment', [primary('postgres', true), crossRegionReplica('preprod')], []],
];

describe('GNT409: a replica source whose master password RDS manages', () => {
  it('is one of the rules gantry lint runs', () => {
    expect(TEMPLATE_RULES).toContain(replicaSourceManagedPasswordRule);
  });

  test.each(cases)('%s', (_name, templates, expected) => {
    const found = checkTemplateRules(templates, [replicaSourceManagedPasswordRule]);
    expect(found.map((f) => `${f.ruleId} ${f.logicalId}`)).toEqual(expected);
    for (const finding of found) {
      // The locator points at the ManageMasterUserPassword line of the source.
      const lines = templates.find((t) => t.path === finding.file)!.content.split('\n');
      expect(lines[finding.line - 1]).toContain('ManageMasterUserPassword');
    }
  });
});
