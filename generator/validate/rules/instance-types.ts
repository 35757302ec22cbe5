import { ec2InstanceTypes, isEc2InstanceTypeAnywhere, isRdsEngine, isRdsInstanceClassAnywhere, rdsInstanceClasses } from '../../aws/instance-types';
import { DEFAULTS } from '../../model/defaults';
import { closest, listWords } from '../../util/suggest';
import { error, type Finding } from '../finding';
import type { Rule } from '../rule';

/**
 * Instance types that exist where they are used: each tier's `instanceType` must be an EC2 instance
 * type offered in every region of the environment, and `database.instanceClass` a DB instance class
 * RDS offers for the engine there. Otherwise CloudFormation fails the stack mid-deploy ("The requested
 * configuration is currently not supported", "Cannot find version … for db.t3.medium"), after the
 * stacks before it have deployed. The lists are AWS's price list (data/instance-types.json), which
 * also holds previous-generation classes that are still priced; a listed class can still lack a
 * particular engine version.
 */
export const instanceTypesRule: Rule = ({ environments }) => {
  const findings: Finding[] = [];
  for (const environment of environments) {
    const regions = environment.regions.map((r) => r.name).filter((name): name is string => name !== undefined && ec2InstanceTypes(name) !== undefined);
    if (regions.length === 0) continue;
    for (const tier of environment.spec.tiers) {
      const type = tier.instanceType;
      if (typeof type !== 'string') continue;
      const missing = regions.filter((region) => !ec2InstanceTypes(region)!.has(type));
      if (missing.length === 0) continue;
      const offered = ec2InstanceTypes(missing[0]!)!;
      const what = `${type}${type === DEFAULTS.tier.instanceType ? " (gantry's default)" : ''}`;
      const exists = isEc2InstanceTypeAnywhere(type);
      findings.push(error('GNT231', ['tiers', tier.name, 'instanceType'],
        exists ? `EC2 does not offer ${what} in ${listWords(missing)}` : `"${type}" is not an EC2 instance type`,
        hint(type, offered, `aws ec2 describe-instance-type-offerings --region ${missing[0]} --filters Name=instance-type,Values=${family(type)}.*`, !exists),
        environment.name));
    }
    const database = environment.spec.database;
    if (!database || typeof database.instanceClass !== 'string' || typeof database.engine !== 'string' || !isRdsEngine(database.engine)) continue;
    const { instanceClass, engine } = database;
    const missing = regions.filter((region) => !rdsInstanceClasses(region, engine)!.has(instanceClass));
    if (missing.length === 0) continue;
    const unoffered = missing.filter((region) => rdsInstanceClasses(region, engine)!.size === 0);
    if (unoffered.length > 0) {
      findings.push(error('GNT231', ['database', 'engine'], `RDS does not offer ${engine} in ${listWords(unoffered)}`,
        'choose another engine, or deploy this environment to regions that offer it', environment.name));
      continue;
    }
    const what = `${instanceClass}${instanceClass === DEFAULTS.database.instanceClass ? " (gantry's default)" : ''}`;
    const exists = isRdsInstanceClassAnywhere(instanceClass);
    findings.push(error('GNT231', ['database', 'instanceClass'],
      exists ? `RDS does not offer ${what} for ${engine} in ${listWords(missing)}` : `"${instanceClass}" is not an RDS DB instance class`,
      hint(instanceClass, rdsInstanceClasses(missing[0]!, engine)!,
        `aws rds describe-orderable-db-instance-options --region ${missing[0]} --engine ${engine} --query 'OrderableDBInstanceOptions[].DBInstanceClass'`, !exists),
      environment.name, [['database', 'engine']]));
  }
  return findings;
};

/** `t3.medium` -> `t3`; `db.r6g.large` -> `db.r6g`. */
function family(type: string): string {
  return type.slice(0, type.lastIndexOf('.'));
}

/**
 * For a typo, a did-you-mean; for a type the region lacks, the nearest one it offers. Else the sizes
 * of the same family that are offered, else the command that lists them.
 */
function hint(type: string, offered: ReadonlySet<string>, listCommand: string, typo: boolean): string {
  const near = closest(type, offered);
  if (near) return typo ? `did you mean "${near}"?` : `the nearest offered there is ${near}`;
  const sameFamily = [...offered].filter((t) => family(t) === family(type));
  if (sameFamily.length > 0) return `offered in the ${family(type)} family there: ${sameFamily.join(', ')}`;
  return `list what is offered with: ${listCommand}`;
}
