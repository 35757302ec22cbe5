import { isRecord, propertiesOf, referencedIds, resourcesOf, type LintTemplate, type RuleMatch, type TemplateRule } from '../template-rule';

/**
 * RDS refuses to create a read replica (in the same region or another) of a source whose master
 * password it manages in Secrets Manager, for every engine except SQL Server: the replica's stack
 * fails with "Creating read replicas for source instance with engine … where
 * ManageMasterUserPassword is enabled is not supported".
 */
export const replicaSourceManagedPasswordRule: TemplateRule = {
  id: 'GNT409',
  description: 'The source of a read replica does not have RDS manage its master password (ManageMasterUserPassword), except on SQL Server',
  source: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations',
  check(templates) {
    const matches: RuleMatch[] = [];
    const report = (template: LintTemplate, id: string, where: string) => matches.push({
      file: template.file, path: ['Resources', id, 'Properties', 'ManageMasterUserPassword'],
      message: `${id} has RDS manage its master password, and ${where} replicates it: RDS refuses to create that replica (keep the password in a Secrets Manager secret of the stack, MasterUserPassword '{{resolve:secretsmanager:…}}', instead)`,
    });
    // Environments (the first folder of a generated path) that hold a replica of a source outside its own template.
    const crossTemplateReplicas = new Map<string, string>();
    for (const template of templates) {
      const parameters = isRecord(template.data.Parameters) ? template.data.Parameters : {};
      for (const replica of resourcesOf(template, 'AWS::RDS::DBInstance')) {
        const source = replica.properties.SourceDBInstanceIdentifier;
        if (source === undefined) continue;
        const ids = [...referencedIds(source)];
        if (typeof source === 'string' || ids.some((id) => id in parameters)) crossTemplateReplicas.set(environmentOf(template), template.file);
      }
    }
    for (const template of templates) {
      const instances = resourcesOf(template, 'AWS::RDS::DBInstance');
      for (const { id, data: instance } of instances) {
        if (!managesPassword(instance)) continue;
        const sameTemplate = instances.find((other) => referencedIds(other.properties.SourceDBInstanceIdentifier).has(id));
        if (sameTemplate) {
          report(template, id, `${sameTemplate.id} in the same template`);
          continue;
        }
        const elsewhere = crossTemplateReplicas.get(environmentOf(template));
        if (elsewhere && elsewhere !== template.file && exportsArn(template, id)) report(template, id, `the replica in ${elsewhere}`);
      }
    }
    return matches;
  },
};

function managesPassword(instance: Record<string, unknown>): boolean {
  const properties = propertiesOf(instance);
  const managed = properties.ManageMasterUserPassword === true || properties.ManageMasterUserPassword === 'true';
  const engine = typeof properties.Engine === 'string' ? properties.Engine : '';
  return managed && !engine.startsWith('sqlserver');
}

/** A cross-region replica names its source by ARN: the template that outputs the instance's ARN is the one it may replicate. */
function exportsArn(template: LintTemplate, id: string): boolean {
  const outputs = isRecord(template.data.Outputs) ? template.data.Outputs : {};
  return Object.values(outputs).some((output) => {
    if (!isRecord(output)) return false;
    const value = output.Value;
    if (!isRecord(value)) return false;
    const att = value['Fn::GetAtt'];
    const [target, attribute] = Array.isArray(att) ? att : typeof att === 'string' ? att.split('.') : [];
    return target === id && attribute === 'DBInstanceArn';
  });
}

/** gantry writes `<environment>/<region>/<stack>.yaml`; a template elsewhere is its own environment. */
function environmentOf(template: LintTemplate): string {
  const parts = template.file.split('/');
  return parts.length > 2 ? parts.slice(0, -2).join('/') : template.file;
}
