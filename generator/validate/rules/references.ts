import { didYouMean } from '../../util/suggest';
import { error, type Finding } from '../finding';
import type { Rule } from '../rule';

/**
 * Names of tiers used elsewhere exist: `database.clients`, `tiers.*.from`, `edge.api.tier`. A tier
 * never lists itself in `from` (it reaches itself without its load balancer), and the API tier is
 * internet-facing, because CloudFront reaches only public load balancers.
 */
export const referencesRule: Rule = ({ environments }) => {
  const findings: Finding[] = [];
  for (const environment of environments) {
    const spec = environment.spec;
    const names = spec.tiers.map((t) => t.name);
    if (names.length === 0) continue; // the schema reports a spec without tiers
    const check = (name: unknown, path: (string | number)[], what: string) => {
      if (typeof name !== 'string' || names.includes(name)) return true;
      findings.push(error('GNT215', path, `${what} "${name}" is not a tier of this spec`,
        didYouMean(name, names) ?? `tiers: ${names.join(', ')}`, environment.name));
      return false;
    };
    spec.database?.clients.forEach((name, i) => check(name, ['database', 'clients', i], 'client'));
    for (const tier of spec.tiers) {
      tier.from.forEach((name, i) => {
        if (name === tier.name) {
          findings.push(error('GNT216', ['tiers', tier.name, 'from', i], `tier "${tier.name}" lists itself`,
            'a tier reaches itself without its load balancer; remove the entry', environment.name));
        } else check(name, ['tiers', tier.name, 'from', i], 'caller');
      });
    }
    if (spec.edge && !spec.edge.site && !spec.edge.api && !spec.tiers.some((t) => t.loadBalancer.public === true)) {
      findings.push(error('GNT230', ['edge'], 'has nothing to serve: no site, no api tier, and no public tier',
        'add site: { spa: true }, an api: { tier: <a public tier> }, or make a tier\'s load balancer public', environment.name));
    }
    const api = spec.edge?.api;
    if (api && check(api.tier, ['edge', 'api', 'tier'], 'API tier')) {
      const tier = spec.tiers.find((t) => t.name === api.tier);
      if (tier && tier.loadBalancer.public !== true) {
        findings.push(error('GNT217', ['edge', 'api', 'tier'], `tier "${api.tier}" has an internal load balancer; CloudFront reaches only public ones`,
          `set tiers.${api.tier}.loadBalancer.public: true (it will accept traffic from CloudFront only)`, environment.name,
          [['tiers', api.tier, 'loadBalancer', 'public']]));
      }
    }
  }
  return findings;
};
