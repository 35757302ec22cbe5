import { dump } from 'js-yaml';
import { hasHeader, headerFor } from '../write/header';
import { templateLimitProblems } from './limits';

/** The first line of every generated YAML or shell file; `check` recognises gantry's files by it. */
export function headerLine(specFile: string): string {
  return headerFor('file.yaml', specFile) as string;
}

/** The header of a generated Markdown file: a comment, since `#` starts a heading there. */
export function markdownHeaderLine(specFile: string): string {
  return headerFor('README.md', specFile) as string;
}

/** True when a file's text starts with gantry's header (the writer's one rule, for every kind of file). */
export { hasHeader };

const TEMPLATE_SECTIONS = [
  'AWSTemplateFormatVersion', 'Description', 'Metadata', 'Transform', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Resources', 'Outputs',
];
/** Sections whose entries are sorted by logical id, so output never depends on build order. */
const SORTED_SECTIONS = new Set(['Parameters', 'Mappings', 'Conditions', 'Resources', 'Outputs']);
const RESOURCE_ATTRIBUTES = [
  'Type', 'Condition', 'DependsOn', 'Metadata', 'CreationPolicy', 'UpdatePolicy', 'DeletionPolicy', 'UpdateReplacePolicy', 'Properties',
];

/**
 * Renders a CloudFormation template as canonical YAML: sections in CloudFormation's documented
 * order, logical ids sorted, a resource's attributes before its properties, two-space indent,
 * no folding, no anchors, LF endings, a trailing newline, the header first.
 */
export function renderTemplate(template: Record<string, unknown>, specFile: string): string {
  const tooLong = templateLimitProblems(template);
  // Spec text is limited by the schema, so a field over CloudFormation's limit is gantry's own doing.
  if (tooLong.length > 0) throw new Error(`a template field is longer than CloudFormation accepts: ${tooLong.join('; ')}`);
  const ordered: Record<string, unknown> = {};
  for (const section of orderKeys(Object.keys(template), TEMPLATE_SECTIONS)) {
    const value = template[section];
    if (value === undefined) continue;
    if (section === 'Resources') ordered[section] = sortRecord(value as Record<string, Record<string, unknown>>, orderResource);
    else if (SORTED_SECTIONS.has(section)) ordered[section] = sortRecord(value as Record<string, unknown>);
    else ordered[section] = value;
  }
  return flattened(`${headerLine(specFile)}\n${renderYaml(ordered)}`);
}

/**
 * NOTE: js-yaml builds its text by appending piece after piece, and V8 keeps such a string as a
 * rope of every piece (several times the text's size) until something reads it whole. Read at once,
 * the pieces die young; read later (when the file is compared or written), they have been promoted
 * and wait for a full collection, and the heap grows by the whole tree's text again. Reading a
 * character makes V8 flatten the string. Measured on 200 environment-regions (/usr/bin/time):
 * a peak of 178 MB where it was 203.
 */
function flattened(text: string): string {
  text.charCodeAt(0);
  return text;
}

/** The one serializer configuration (templates and workflows alike). */
export function renderYaml(value: unknown): string {
  return dump(dropUndefined(value), { indent: 2, lineWidth: -1, noRefs: true });
}

function orderResource(resource: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of orderKeys(Object.keys(resource), RESOURCE_ATTRIBUTES)) out[key] = resource[key];
  return out;
}

/** Known keys in their fixed order, then any others alphabetically. */
function orderKeys(keys: string[], order: string[]): string[] {
  const known = order.filter((k) => keys.includes(k));
  const rest = keys.filter((k) => !order.includes(k)).sort();
  return [...known, ...rest];
}

function sortRecord<T>(record: Record<string, T>, map: (value: T) => unknown = (v) => v): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) out[key] = map(record[key] as T);
  return out;
}

function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropUndefined);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = dropUndefined(v);
    return out;
  }
  return value;
}
