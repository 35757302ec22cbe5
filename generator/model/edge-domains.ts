import { isPlainObject } from '../spec/path';
import type { EnvironmentSpecView } from './defaults';

/**
 * Each environment's own edge domain. CloudFront aliases are unique across AWS, so two
 * environments cannot serve the same name: an environment that names no `overrides.edge.domain`
 * inherits `edge.domain` only when no other environment inherits it too. When several do, the last
 * of them in the spec (environments deploy in the order written, production conventionally last)
 * keeps `edge.domain` and each earlier one gets `<environment>.<edge.domain>`, e.g.
 * `preprod.app.example.com`, which stays inside the same hosted zone.
 *
 * Why a default rather than an error: the reference specs list preprod and prod under one
 * `edge.domain` and must stay valid; deriving the names gives every environment a distinct alias,
 * origin and certificate name without an edit, and the GNT250 rule still rejects names that two
 * environments claim explicitly.
 */
export function withOwnEdgeDomains(
  document: Readonly<Record<string, unknown>>,
  views: readonly { name: string; spec: EnvironmentSpecView }[],
): Map<string, EnvironmentSpecView> {
  const inheriting = views.filter((v) => v.spec.edge && !writesOwnDomain(document, v.name)).map((v) => v.name);
  const keeper = inheriting[inheriting.length - 1];
  const out = new Map<string, EnvironmentSpecView>();
  for (const view of views) {
    const edge = view.spec.edge;
    const derive = edge && inheriting.length > 1 && inheriting.includes(view.name) && view.name !== keeper && typeof edge.domain === 'string';
    out.set(view.name, derive ? { ...view.spec, edge: { ...edge, domain: `${view.name}.${edge.domain.replace(/\.$/, '')}` } } : view.spec);
  }
  return out;
}

/** True when the environment's overrides set `edge.domain` themselves. */
export function writesOwnDomain(document: Readonly<Record<string, unknown>>, environment: string): boolean {
  const environments = isPlainObject(document.environments) ? document.environments : {};
  const declared = environments[environment];
  const overrides = isPlainObject(declared) && isPlainObject(declared.overrides) ? declared.overrides : undefined;
  return isPlainObject(overrides?.edge) && overrides.edge.domain !== undefined;
}

/**
 * Each environment's public hosted zone. Route 53 looks a zone up by name in the caller's own
 * account, and only one zone of a name can be delegated (by the registrar, or by an NS record in
 * its parent): when environments in different accounts would all use `edge.zone`, only one of them
 * can have it, and ACM's DNS validation in the others never completes (the certificate stays
 * PENDING_VALIDATION and its stack CREATE_IN_PROGRESS until CloudFormation gives up). So, among the environments that use the
 * same zone without naming it in their overrides, those in the account of the last one (the one
 * that keeps `edge.domain`) keep it, and every other one gets a zone named for its own domain
 * (`preprod.app.medlogix.example`), delegated from `edge.zone` by an NS record; its domain, origin
 * names and validation records are all inside it. Environments sharing one account share its zone.
 * The generated README lists the zones to create, with the commands. Call it on the views that
 * `withOwnEdgeDomains` returned: the derived zones follow the derived domains.
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/CreatingNewSubdomain.html
 * @see https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html
 */
export function withOwnHostedZones(
  document: Readonly<Record<string, unknown>>,
  views: readonly { name: string; account?: string; spec: EnvironmentSpecView }[],
): Map<string, EnvironmentSpecView> {
  const byZone = new Map<string, { name: string; account?: string }[]>();
  for (const view of views) {
    const edge = view.spec.edge;
    if (!edge || typeof edge.zone !== 'string' || typeof edge.domain !== 'string' || writesOwnZone(document, view.name)) continue;
    const zone = normalName(edge.zone);
    byZone.set(zone, [...(byZone.get(zone) ?? []), { name: view.name, account: view.account }]);
  }
  const own = new Map<string, { name: string; account: string }>();
  for (const [zone, users] of byZone) {
    const keeper = users[users.length - 1]!;
    if (keeper.account === undefined || users.every((u) => u.account === keeper.account)) continue;
    for (const user of users) if (user.account !== keeper.account) own.set(user.name, { name: zone, account: keeper.account });
  }
  const out = new Map<string, EnvironmentSpecView>();
  for (const view of views) {
    const parent = own.get(view.name);
    const edge = view.spec.edge;
    out.set(view.name, parent && edge ? { ...view.spec, edge: { ...edge, zone: normalName(edge.domain), parentZone: parent } } : view.spec);
  }
  return out;
}

/** True when the environment's overrides set `edge.zone` themselves: gantry then uses it as written. */
export function writesOwnZone(document: Readonly<Record<string, unknown>>, environment: string): boolean {
  const environments = isPlainObject(document.environments) ? document.environments : {};
  const declared = environments[environment];
  const overrides = isPlainObject(declared) && isPlainObject(declared.overrides) ? declared.overrides : undefined;
  return isPlainObject(overrides?.edge) && overrides.edge.zone !== undefined;
}

/** A DNS name as Route 53 compares it: lower case, without the final dot. */
function normalName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}
