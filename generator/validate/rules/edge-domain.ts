import { error, warning, type Finding } from '../finding';
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

/**
 * Environments in different accounts that still use one hosted zone name: only one account's zone
 * of that name can be delegated, and ACM's DNS validation in the others never completes. gantry
 * gives inheriting environments their own zones (model/edge-domains.ts), so this is reached only
 * when overrides name the zone again; a warning, since a zone can also be shared by other means.
 * @see https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html
 */
export const sharedZoneRule: Rule = ({ environments }) => {
  const users = new Map<string, { name: string; account: string }[]>();
  for (const environment of environments) {
    const zone = environment.spec.edge?.zone;
    if (typeof zone !== 'string' || environment.account === undefined) continue;
    const key = zone.replace(/\.$/, '').toLowerCase();
    users.set(key, [...(users.get(key) ?? []), { name: environment.name, account: environment.account }]);
  }
  const findings: Finding[] = [];
  for (const [zone, list] of users) {
    const accounts = new Set(list.map((u) => u.account));
    if (accounts.size < 2) continue;
    for (const user of list) {
      const others = list.filter((u) => u.account !== user.account).map((u) => `${u.name} (account ${u.account})`);
      findings.push(warning('GNT251', ['edge', 'zone'],
        `the hosted zone ${zone} is also looked up by ${others.join(', ')}: DNS reaches only one account's zone of that name, and certificates validated in the others never validate`,
        `give environment ${user.name} a zone of its own in environments.${user.name}.overrides.edge.zone (one named for its domain, delegated from ${zone} by an NS record), or leave edge.zone to gantry, which does that`,
        user.name));
    }
  }
  return findings;
};
