import { error, type Finding } from '../finding';
import type { Rule } from '../rule';

/**
 * No two environments (or regions) claim the same edge name: the CloudFront alias and its
 * certificate (`edge.domain`), or a public tier's origin name (`<tier>.<region>.<domain>`, with its
 * certificate and DNS record). CloudFront aliases are unique across AWS (a second distribution
 * fails with CNAMEAlreadyExists), and a certificate validated in a zone that is not delegated never
 * validates. Environments that share one `edge.domain` get their own by default
 * (model/edge-domains.ts); this catches names written twice.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html#alternate-domain-names-restrictions
 */
export const edgeNamesRule: Rule = ({ environments }) => {
  const claims = new Map<string, { environment: string; what: string }[]>();
  for (const environment of environments) {
    const edge = environment.spec.edge;
    if (!edge || typeof edge.domain !== 'string') continue;
    const domain = edge.domain.replace(/\.$/, '').toLowerCase();
    const names = new Map<string, string>([[domain, 'CloudFront alias and certificate']]);
    for (const tier of environment.spec.tiers) {
      if (!tier.loadBalancer.public) continue;
      for (const region of environment.regions) {
        if (region.name) names.set(`${tier.name}.${region.name}.${domain}`, `origin name of tier ${tier.name} in ${region.name}`);
      }
    }
    for (const [name, what] of names) claims.set(name, [...(claims.get(name) ?? []), { environment: environment.name, what }]);
  }
  // One finding per environment, naming every name it shares and with whom.
  const shared = new Map<string, string[]>();
  for (const [name, claimants] of claims) {
    if (new Set(claimants.map((c) => c.environment)).size < 2) continue;
    for (const claimant of claimants) {
      const others = [...new Set(claimants.filter((c) => c.environment !== claimant.environment).map((c) => c.environment))];
      shared.set(claimant.environment, [...(shared.get(claimant.environment) ?? []), `${name} (its ${claimant.what}; also claimed by ${others.join(', ')})`]);
    }
  }
  const findings: Finding[] = [];
  for (const [environment, names] of shared) {
    findings.push(error('GNT250', ['edge', 'domain'],
      `another environment claims the same edge names: ${names.join('; ')}. CloudFront aliases and their certificates belong to one distribution across all of AWS`,
      `give environment ${environment} its own domain in environments.${environment}.overrides.edge.domain, e.g. ${environment}.<domain>`,
      environment));
  }
  return findings;
};
