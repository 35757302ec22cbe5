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
