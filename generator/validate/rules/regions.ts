import { REGION_AVAILABILITY_ZONES, REGIONS, unsupportedPartition } from '../../aws/regions';
import { didYouMean } from '../../util/suggest';
import { error, type Finding } from '../finding';
import { isNumber, type Rule } from '../rule';

/**
 * Region names are real AWS regions, once per environment, and offer the availability zones the
 * network asks for. A single AZ is an explicit choice (allowSingleAz), and a database needs two
 * (an RDS DB subnet group spans at least two AZs).
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html
 */
export const regionsRule: Rule = ({ environments }) => {
  const findings: Finding[] = [];
  for (const environment of environments) {
    const network = environment.spec.network;
    const azs = network.availabilityZones;
    const seen = new Set<string>();
    for (const region of environment.regions) {
      const name = region.name;
      if (name === undefined) continue;
      if (seen.has(name)) {
        findings.push(error('GNT208', region.namePath, `${name} is listed twice`, 'list each region once'));
        continue;
      }
      seen.add(name);
      const offered = REGION_AVAILABILITY_ZONES[name];
      if (offered === undefined) {
        const partition = unsupportedPartition(name);
        findings.push(partition
          ? error('GNT207', region.namePath, `${name} is in ${partition}, which gantry does not deploy to`, 'use a region of the standard aws partition')
          : error('GNT207', region.namePath, `"${name}" is not an AWS region`, didYouMean(name, REGIONS)));
        continue;
      }
      if (isNumber(azs) && azs > offered) {
        findings.push(error('GNT209', ['network', 'availabilityZones'], `${azs} is more than ${name} offers (${offered}${name === 'us-east-1' ? ': gantry leaves out use1-az3, which cannot launch current instance types' : ''})`,
          `use at most ${offered}, or set it for this environment in environments.${environment.name}.overrides.network`, environment.name));
      }
    }
    if (azs === 1 && network.allowSingleAz !== true) {
      findings.push(error('GNT210', ['network', 'availabilityZones'], '1 leaves the platform without availability-zone redundancy',
        'use 2 or more, or set network.allowSingleAz: true to accept it', environment.name));
    }
    if (azs === 1 && environment.spec.database) {
      findings.push(error('GNT211', ['network', 'availabilityZones'], 'a database needs subnets in at least 2 availability zones (RDS DB subnet groups span two)',
        'use 2 or more', environment.name));
    }
  }
  return findings;
};
