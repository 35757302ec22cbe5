/**
 * A location inside the spec document, as the list of keys and indexes from the root:
 * `['tiers', 'web', 'capacity', 'min']` or `['environments', 'prod', 'regions', 1]`.
 */
export type SpecPath = readonly (string | number)[];

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * Formats a path the way a user reads it in the YAML file: `tiers.web.capacity.min`,
 * `environments.prod.regions[1].cidr`, `tags["app.kubernetes.io/name"]`.
 */
export function formatPath(path: SpecPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(top level)' : out;
}

/** A stable map key for a path; keys may contain dots, so the separator is a control character. */
export function pathKey(path: SpecPath): string {
  return path.map((s) => (typeof s === 'number' ? `#${s}` : `.${s}`)).join('\u001f');
}

/** Parses an ajv JSON Pointer (`/tiers/web/capacity/min`) into a path, given the data it points into. */
export function pathFromPointer(pointer: string, data: unknown): (string | number)[] {
  if (pointer === '') return [];
  const out: (string | number)[] = [];
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^\d+$/.test(key)) {
      out.push(Number(key));
      node = node[Number(key)];
    } else {
      out.push(key);
      node = isPlainObject(node) ? node[key] : undefined;
    }
  }
  return out;
}

/** True for a mapping read from YAML (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the value at a path, or undefined when any step is missing. */
export function valueAt(data: unknown, path: SpecPath): unknown {
  let node: unknown = data;
  for (const segment of path) {
    if (typeof segment === 'number' ? !Array.isArray(node) : !isPlainObject(node)) return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}
