import { isPlainObject, type SpecPath } from '../spec/path';
import { OVERRIDABLE_SECTIONS } from './spec-types';

/**
 * Deep-merges `override` over `base`, as AWS Copilot applies environment overrides: mappings
 * merge key by key, lists and scalars replace. Neither input is changed (YAML aliases may share
 * objects between places).
 */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = deepMerge(base[key], value);
  return merged;
}

/**
 * Where a value of an environment's merged spec was written: in the environment's overrides
 * (`environments.<env>.overrides.<path>`), or in the top-level section (`<path>`). A list or
 * value replaced by an override comes from the override as a whole, items included.
 */
export function sourcePath(document: unknown, environment: string, path: SpecPath): SpecPath {
  const overridesPath = ['environments', environment, 'overrides'];
  if (!(OVERRIDABLE_SECTIONS as readonly unknown[]).includes(path[0])) return path;
  let node: unknown = isPlainObject(document) ? (document.environments as Record<string, unknown> | undefined) : undefined;
  node = isPlainObject(node) ? node[environment] : undefined;
  node = isPlainObject(node) ? node.overrides : undefined;
  if (node === undefined) return path;
  for (const segment of path) {
    if (!isPlainObject(node)) return [...overridesPath, ...path]; // replaced wholesale by the override
    if (typeof segment !== 'string' || !Object.prototype.hasOwnProperty.call(node, segment)) return path;
    node = node[segment];
  }
  return [...overridesPath, ...path];
}
