import { warning, type Finding } from '../finding';
import type { Rule } from '../rule';

/**
 * Legal but risky: a public load balancer with neither a certificate nor an edge domain to issue
 * one for serves plain HTTP to the internet.
 */
export const httpOnlyRule: Rule = ({ environments }) => {
  const findings: Finding[] = [];
  for (const environment of environments) {
    if (environment.spec.edge) continue;
    for (const tier of environment.spec.tiers) {
      if (tier.loadBalancer.public === true && !tier.loadBalancer.certificateArn) {
        findings.push(warning('GNT227', ['tiers', tier.name, 'loadBalancer'],
          'a public load balancer without a certificate serves plain HTTP to the internet',
          'set loadBalancer.certificateArn, or an edge (edge.domain) so gantry issues one', environment.name));
      }
    }
  }
  return findings;
};
