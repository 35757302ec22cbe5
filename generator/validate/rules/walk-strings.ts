import { isPlainObject, type SpecPath } from '../../spec/path';

/**
 * Visits every string a document holds: mapping keys (with the path of their entry, `isKey`
 * true) and string values. Rules about what text may contain use it, since a key lands in
 * generated files as surely as a value (tag keys are copied into every template).
 */
export function walkStrings(node: unknown, visit: (text: string, path: SpecPath, isKey: boolean) => void, path: SpecPath = [], depth = 0): void {
  if (depth > 64) return; // the loader caps nesting at 64 already
  if (typeof node === 'string') visit(node, path, false);
  else if (Array.isArray(node)) node.forEach((item, i) => walkStrings(item, visit, [...path, i], depth + 1));
  else if (isPlainObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      visit(key, [...path, key], true);
      walkStrings(value, visit, [...path, key], depth + 1);
    }
  }
}
