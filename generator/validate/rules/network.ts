import { planSubnets, MIN_SUBNET_PREFIX } from '../../model/subnets';
import { hasHostBits, isPrivateRange, networkOf, formatCidr, parseCidr } from '../../util/cidr';
import { error, warning, type Finding } from '../finding';
import { isNumber, regionCidr, type Rule } from '../rule';

export const MIN_VPC_PREFIX = 16;
export const MAX_VPC_PREFIX = 24;

/**
 * Every region's VPC CIDR: a network address, /16 to /24 (what a VPC accepts), and room for a
 * public, a private and an isolated subnet of at least /28 in every AZ.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html
 */
export const networkRule: Rule = ({ environments }) => {
  const findings: Finding[] = [];
  for (const environment of environments) {
    const azs = environment.spec.network.availabilityZones;
    for (const region of environment.regions) {
      const { cidr: text, path, environment: env } = regionCidr(environment, region);
      if (typeof text !== 'string') continue;
      const cidr = parseCidr(text);
      if (!cidr) continue; // the schema reports the format
      if (cidr.prefix < MIN_VPC_PREFIX || cidr.prefix > MAX_VPC_PREFIX) {
        findings.push(error('GNT202', path, `${text} is a /${cidr.prefix}; a VPC CIDR is /${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX}`,
          cidr.prefix < MIN_VPC_PREFIX ? `use a /16 inside it, e.g. ${formatCidr(networkOf({ ...cidr, prefix: 16 }), 16)}` : 'use a /24 or larger (a smaller prefix number)', env));
        continue;
      }
      if (hasHostBits(cidr)) {
        findings.push(error('GNT203', path, `${text} has host bits set`, `did you mean ${formatCidr(networkOf(cidr), cidr.prefix)}?`, env));
        continue;
      }
      if (isNumber(azs) && azs >= 1 && azs <= 6 && !planSubnets(text, azs)) {
        findings.push(error('GNT204', path,
          `${text} has no room for public, private and isolated subnets in ${azs} availability zones (each needs at least a /${MIN_SUBNET_PREFIX})`,
          `use a /${cidr.prefix - 1} or larger, or fewer availabilityZones`, env));
      }
      if (!isPrivateRange(cidr)) {
        findings.push(warning('GNT205', path, `${text} is not a private address range; addresses inside it become unreachable on the internet from this VPC`,
          'use a range in 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16', env));
      }
    }
  }
  return findings;
};
