import { REGION_AVAILABILITY_ZONES } from '../../aws/regions';
import { error, type Finding } from '../finding';
import type { Rule } from '../rule';

const ACM_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):([0-9]{12}):certificate\//;

/**
 * A load balancer can only use an ACM certificate of its own region and account: one ARN cannot
 * serve a tier deployed to two regions (set it per environment in overrides).
 * @see https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html
 */
export const certificatesRule: Rule = ({ environments }) => {
  const findings: Finding[] = [];
  for (const environment of environments) {
    for (const tier of environment.spec.tiers) {
      const arn = tier.loadBalancer.certificateArn;
      const match = typeof arn === 'string' ? ACM_ARN.exec(arn) : null;
      if (!match) continue;
      const [, region, account] = match;
      const path = ['tiers', tier.name, 'loadBalancer', 'certificateArn'];
      // Unknown region names are the regions rule's business.
      const elsewhere = environment.regions.map((r) => r.name).filter((r): r is string => !!r && r !== region && r in REGION_AVAILABILITY_ZONES);
      if (elsewhere.length > 0) {
        findings.push(error('GNT219', path,
          `the certificate is in ${region}, but environment "${environment.name}" deploys this tier to ${elsewhere.join(', ')} too; a load balancer uses a certificate of its own region`,
          environment.regions.length > 1
            ? 'leave certificateArn unset to use a certificate issued per region for edge.domain, or put the tier in environments that each have one region'
            : `use a certificate from ${elsewhere.join(', ')}, set in environments.${environment.name}.overrides`, environment.name));
      }
      if (environment.account && account !== environment.account) {
        findings.push(error('GNT220', path,
          `the certificate belongs to account ${account}, but environment "${environment.name}" deploys to account ${environment.account}`,
          `use a certificate of account ${environment.account}, set in environments.${environment.name}.overrides`, environment.name));
      }
    }
  }
  return findings;
};
