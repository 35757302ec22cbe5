import { REGION_AVAILABILITY_ZONES } from '../../aws/regions';
import { isPlainObject } from '../../spec/path';
import { error, type Finding } from '../finding';
import type { RegionRef, Rule } from '../rule';

const ACM_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):([0-9]{12}):certificate\//;

/** The certificate a region entry sets for a tier (`regions[i].tiers.<tier>.loadBalancer.certificateArn`), if any. */
export function regionCertificate(region: RegionRef, tier: string): unknown {
  const tiers = isPlainObject(region.tiers) ? region.tiers : undefined;
  const settings = tiers && isPlainObject(tiers[tier]) ? tiers[tier] : undefined;
  const loadBalancer = settings && isPlainObject(settings.loadBalancer) ? settings.loadBalancer : undefined;
  return loadBalancer?.certificateArn;
}

/**
 * A load balancer can only use an ACM certificate of its own region and account: one ARN cannot
 * serve a tier deployed to two regions (set it per region in `regions[].tiers`, or per environment
 * in overrides).
 * @see https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html
 */
export const certificatesRule: Rule = ({ environments }) => {
  const findings: Finding[] = [];
  for (const environment of environments) {
    for (const tier of environment.spec.tiers) {
      const arn = tier.loadBalancer.certificateArn;
      const match = typeof arn === 'string' ? ACM_ARN.exec(arn) : null;
      if (match) {
        const [, region, account] = match;
        const path = ['tiers', tier.name, 'loadBalancer', 'certificateArn'];
        // Unknown region names are the regions rule's business; a region with its own certificate does not use this one.
        const elsewhere = environment.regions
          .filter((r) => regionCertificate(r, tier.name) === undefined)
          .map((r) => r.name).filter((r): r is string => !!r && r !== region && r in REGION_AVAILABILITY_ZONES);
        if (elsewhere.length > 0) {
          findings.push(error('GNT219', path,
            `the certificate is in ${region}, but environment "${environment.name}" deploys this tier to ${elsewhere.join(', ')} too; a load balancer uses a certificate of its own region`,
            environment.regions.length > 1
              ? `give each region its own in environments.${environment.name}.regions[].tiers.${tier.name}.loadBalancer.certificateArn, or leave it unset to use a certificate issued per region for edge.domain`
              : `use a certificate from ${elsewhere.join(', ')}, set in environments.${environment.name}.overrides`, environment.name));
        }
        if (environment.account && account !== environment.account) {
          findings.push(error('GNT220', path,
            `the certificate belongs to account ${account}, but environment "${environment.name}" deploys to account ${environment.account}`,
            `use a certificate of account ${environment.account}, set in environments.${environment.name}.overrides`, environment.name));
        }
      }
      for (const region of environment.regions) {
        const own = regionCertificate(region, tier.name);
        const ownMatch = typeof own === 'string' ? ACM_ARN.exec(own) : null;
        if (!ownMatch || !region.name) continue;
        const [, certificateRegion, certificateAccount] = ownMatch;
        const path = [...region.path, 'tiers', tier.name, 'loadBalancer', 'certificateArn'];
        if (certificateRegion !== region.name) {
          findings.push(error('GNT219', path, `the certificate is in ${certificateRegion}, but this entry is ${region.name}; a load balancer uses a certificate of its own region`,
            `use a certificate issued in ${region.name}`));
        }
        if (environment.account && certificateAccount !== environment.account) {
          findings.push(error('GNT220', path, `the certificate belongs to account ${certificateAccount}, but environment "${environment.name}" deploys to account ${environment.account}`,
            `use a certificate of account ${environment.account}`));
        }
      }
    }
  }
  return findings;
};
