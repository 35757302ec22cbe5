import { warning, type Finding } from '../finding';
import type { Rule } from '../rule';

/**
 * Legal but risky: an environment important enough to need approval depending on one NAT gateway,
 * whose AZ's outage cuts the internet egress of every AZ.
 */
export const natApprovalRule: Rule = ({ environments }) => {
  const findings: Finding[] = [];
  for (const environment of environments) {
    const network = environment.spec.network;
    if (environment.approval && network.natGateways === 'single' && network.availabilityZones > 1) {
      findings.push(warning('GNT228', ['network', 'natGateways'],
        `environment "${environment.name}" needs approval but has a single NAT gateway: an outage of its AZ cuts egress for all AZs`,
        'use natGateways: perAz for this environment', environment.name));
    }
  }
  return findings;
};
