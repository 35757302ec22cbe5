import { loadSpecText } from '../../../generator/spec/load';
import { checkLoadedSpec } from '../../../generator/pipeline';
import { buildBootstrapTemplate } from '../../../generator/stacks/bootstrap';

type Statement = { Sid: string; Action: string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };

function failoverStatements(): Record<string, Statement> {
  const text = 'version: 1\nproject: shop\ngithub: { repository: acme/shop }\ndatabase: { engine: postgres, version: "16.8", multiAz: true, instanceClass: db.m5.large }\n'
    + 'tiers:\n  web: {}\nenvironments:\n  prod: { account: "123456789012", regions: [eu-west-1, { name: eu-central-1, cidr: 10.1.0.0/16 }] }\n';
  const loaded = loadSpecText('spec.yaml', Buffer.from(text));
  if (!loaded.ok) throw new Error(loaded.diagnostics[0]?.message);
  const model = checkLoadedSpec(loaded.spec).model!;
  const template = buildBootstrapTemplate(model, model.environments[0]!) as { Resources: Record<string, { Properties: { Policies: { PolicyDocument: { Statement: Statement[] } }[] } }> };
  const statements = template.Resources.FailoverRole!.Properties.Policies[0]!.PolicyDocument.Statement;
  return Object.fromEntries(statements.map((s) => [s.Sid, s]));
}

describe('the failover role', () => {
  it("uses the standby's key through RDS and through Secrets Manager, which encrypts the master secret RDS creates on modify-db-instance --manage-master-user-password", () => {
    // GIVEN a two-region environment  WHEN its bootstrap is built  THEN the KMS statement admits both services and nothing else
    const kms = failoverStatements().EncryptWithTheStandbysKey!;
    expect(kms.Condition).toEqual({ StringLike: { 'kms:ViaService': ['rds.*', 'secretsmanager.*'] } });
    expect(kms.Action).toEqual(['kms:DescribeKey', 'kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKey']);
  });

  it('lets RDS create and tag the master secret, and read no secret', () => {
    const secrets = failoverStatements().LetRdsManageTheMasterSecret!;
    expect(secrets.Action).toEqual(['secretsmanager:CreateSecret', 'secretsmanager:TagResource']);
  });
});
