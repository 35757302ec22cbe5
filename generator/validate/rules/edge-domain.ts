import { error, type Finding } from '../finding';
import type { Rule } from '../rule';

/** The edge's domain lies in its hosted zone, since its records and certificate validation go there. */
export const edgeDomainRule: Rule = ({ environments }) => {
  const findings: Finding[] = [];
  for (const environment of environments) {
    const edge = environment.spec.edge;
    if (!edge || typeof edge.domain !== 'string' || typeof edge.zone !== 'string') continue;
    const domain = edge.domain.replace(/\.$/, '');
    const zone = edge.zone.replace(/\.$/, '');
    if (domain !== zone && !domain.endsWith(`.${zone}`)) {
      findings.push(error('GNT218', ['edge', 'domain'], `${domain} is not inside the hosted zone ${zone}`,
        `use a name ending in .${zone}, or the zone that holds ${domain}`, environment.name));
    }
  }
  return findings;
};
