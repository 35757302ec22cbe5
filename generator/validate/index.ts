import type { Diagnostic } from '../diagnostics';
import { applyDefaults, type MergedSections } from '../model/defaults';
import { withOwnEdgeDomains, withOwnHostedZones } from '../model/edge-domains';
import { deepMerge, sourcePath } from '../model/merge';
import { OVERRIDABLE_SECTIONS } from '../model/spec-types';
import type { LoadedSpec } from '../spec/load';
import { LineIndex, locate, locateWithin } from '../spec/locate';
import { formatPath, isPlainObject, pathKey, type SpecPath } from '../spec/path';
import type { Finding } from './finding';
import type { EnvironmentContext, RegionRef, RuleContext } from './rule';
import { RULES } from './rules';
import { validateSchema, type RawText } from './schema';
import { sortDiagnostics } from '../diagnostics';

/**
 * Validates a loaded spec: the JSON Schema over the document, the same schema over each
 * environment's merged spec (so an override cannot break what the top level guarantees), then
 * every semantic rule. Returns every problem, positioned and sorted.
 */
export function validateSpec(spec: LoadedSpec): { diagnostics: Diagnostic[]; environments: readonly EnvironmentContext[] } {
  const document = spec.data;
  const raw = (path: SpecPath) => spec.positions.get(pathKey(path))?.raw;
  const findings: Finding[] = validateSchema(document, raw);
  const schemaFailed = findings.length > 0;
  const context = buildRuleContext(document);

  for (const environment of context.environments) {
    findings.push(...validateMergedSchema(document, environment.name, (path) => raw(sourcePath(document, environment.name, path))));
  }

  for (const rule of RULES) {
    try {
      findings.push(...rule(context));
    } catch (err) {
      // A rule may trip over a shape the schema already rejected; on a schema-valid spec it is a bug.
      if (!schemaFailed) throw err;
    }
  }
  return { diagnostics: toDiagnostics(spec, findings, context.environments.length), environments: context.environments };
}

/** Each environment's fields as written, and its sections with overrides merged and defaults filled. */
export function buildRuleContext(document: Readonly<Record<string, unknown>>): RuleContext {
  const project = typeof document.project === 'string' ? document.project : 'project';
  const contexts: EnvironmentContext[] = [];
  const declared = isPlainObject(document.environments) ? document.environments : {};
  for (const [name, value] of Object.entries(declared)) {
    if (!isPlainObject(value)) continue;
    contexts.push({
      name,
      // Rules compare against valid ids only; the schema reports the others.
      account: typeof value.account === 'string' && /^\d{12}$/.test(value.account) ? value.account : undefined,
      approval: value.approval === true,
      regions: regionRefs(name, value.regions),
      spec: applyDefaults(project, name, mergedSections(document, name)),
    });
  }
  // Environments sharing one edge.domain each get their own, and environments whose accounts
  // cannot all hold edge.zone get a zone of their own (model/edge-domains.ts).
  const domains = withOwnEdgeDomains(document, contexts);
  const withDomains = contexts.map((c) => ({ ...c, spec: domains.get(c.name) ?? c.spec }));
  const zones = withOwnHostedZones(document, withDomains);
  const environments = withDomains.map((c) => ({ ...c, spec: zones.get(c.name) ?? c.spec }));
  return { document, project, environments };
}

/** The overridable top-level sections with one environment's overrides deep-merged over them. */
export function mergedSections(document: Readonly<Record<string, unknown>>, environment: string): MergedSections {
  const declared = isPlainObject(document.environments) ? document.environments[environment] : undefined;
  const overrides = isPlainObject(declared) && isPlainObject(declared.overrides) ? declared.overrides : {};
  const merged: Record<string, unknown> = {};
  for (const section of OVERRIDABLE_SECTIONS) {
    const value = deepMerge(document[section], overrides[section]);
    if (value !== undefined) merged[section] = value;
  }
  return merged as MergedSections;
}

function regionRefs(environment: string, regions: unknown): RegionRef[] {
  if (!Array.isArray(regions)) return [];
  return regions.map((entry: unknown, index): RegionRef => {
    const path = ['environments', environment, 'regions', index];
    if (typeof entry === 'string') return { name: entry, path, namePath: path };
    if (isPlainObject(entry)) {
      return {
        name: typeof entry.name === 'string' ? entry.name : undefined,
        cidr: typeof entry.cidr === 'string' ? entry.cidr : undefined,
        path,
        namePath: [...path, 'name'],
        role: entry.role,
        tiers: entry.tiers,
      };
    }
    return { path, namePath: path };
  });
}

/**
 * The schema over one environment's merged sections. Only problems that an override introduced
 * are kept (the document pass already reported the top level's), e.g. an override that adds a
 * database without an engine.
 */
function validateMergedSchema(document: Readonly<Record<string, unknown>>, environment: string, raw: RawText): Finding[] {
  const declared = isPlainObject(document.environments) ? document.environments[environment] : undefined;
  if (!isPlainObject(declared) || !isPlainObject(declared.overrides)) return [];
  const { overrides: _, ...rest } = declared;
  const merged = { ...document, ...mergedSections(document, environment), environments: { [environment]: rest } };
  return validateSchema(merged, raw)
    .filter((finding) => finding.path[0] !== 'environments')
    .map((finding) => ({ ...finding, environment }))
    .filter((finding) => isInOverrides(sourcePath(document, environment, finding.path)));
}

/** Where a finding points: the line that wrote its value, or the override that changed a value it depends on. */
function findingSource(document: Readonly<Record<string, unknown>>, finding: Finding): SpecPath {
  if (!finding.environment) return finding.path;
  const source = sourcePath(document, finding.environment, finding.path);
  if (isInOverrides(source)) return source;
  for (const related of finding.related ?? []) {
    const relatedSource = sourcePath(document, finding.environment, related);
    if (isInOverrides(relatedSource)) return relatedSource;
  }
  return source;
}

function isInOverrides(path: SpecPath): boolean {
  return path[0] === 'environments' && path[2] === 'overrides';
}

/**
 * Positions findings at the line that wrote the value (an override's own line, or the top-level
 * one), merges the copies that several environments report, and names the environments when a
 * top-level line is wrong for some of them only.
 */
function toDiagnostics(spec: LoadedSpec, findings: readonly Finding[], environmentCount: number): Diagnostic[] {
  interface Group { finding: Finding; source: SpecPath; environments: Set<string>; fromDocument: boolean }
  const groups = new Map<string, Group>();
  for (const finding of findings) {
    const source = findingSource(spec.data, finding);
    const key = [finding.code, finding.severity, formatPath(source), formatPath(finding.path), finding.message].join('\u0000');
    let group = groups.get(key);
    if (!group) {
      group = { finding, source, environments: new Set(), fromDocument: false };
      groups.set(key, group);
    }
    if (finding.environment) group.environments.add(finding.environment);
    else group.fromDocument = true;
  }

  // A rule's finding is more specific than the schema's at the same place (e.g. names, accounts).
  const ruled = new Set([...groups.values()].filter((g) => g.finding.code.startsWith('GNT2')).map((g) => formatPath(g.source)));

  const diagnostics: Diagnostic[] = [];
  let lines: LineIndex | undefined;
  for (const { finding, source, environments, fromDocument } of groups.values()) {
    if (finding.code.startsWith('GNT1') && ruled.has(formatPath(source))) continue;
    let message = finding.path.length > 0 ? `${formatPath(finding.path)}: ${finding.message}` : finding.message;
    const inOverride = isInOverrides(source);
    if (!fromDocument && environments.size > 0 && (inOverride || environments.size < environmentCount)) {
      const names = [...environments].sort();
      const alreadyNamed = names.every((n) => finding.message.includes(`"${n}"`));
      if (!alreadyNamed) message += ` (environment${names.length > 1 ? 's' : ''} ${names.map((n) => `"${n}"`).join(', ')})`;
    }
    let position = locate(spec.positions, source);
    if (finding.needle !== undefined) {
      lines ??= new LineIndex(spec.text);
      position = locateWithin(spec.text, lines, position, finding.needle) ?? position;
    }
    diagnostics.push({
      code: finding.code,
      severity: finding.severity,
      message,
      file: spec.file,
      path: source,
      position,
      hint: finding.hint,
    });
  }
  return sortDiagnostics(scrubSecrets(diagnostics, findings));
}

/**
 * Replaces every secret a finding found with its redacted form, in every message, hint and path:
 * diagnostics end up in CI logs and pull-request annotations, so none may repeat a secret, even
 * where another check (an unknown key, a pattern) quotes the same text.
 */
function scrubSecrets(diagnostics: Diagnostic[], findings: readonly Finding[]): Diagnostic[] {
  // Short values (a "Token: x" tag) are reported, but replacing every "x" would garble the messages.
  const secrets = findings.flatMap((f) => (f.secret && f.secret.text.length >= 6 ? [f.secret] : [])).sort((a, b) => b.text.length - a.text.length);
  if (secrets.length === 0) return diagnostics;
  const scrub = (text: string) => secrets.reduce((out, s) => out.split(s.text).join(s.redacted), text);
  return diagnostics.map((d) => ({
    ...d,
    message: scrub(d.message),
    hint: d.hint === undefined ? undefined : scrub(d.hint),
    path: d.path.map((segment) => (typeof segment === 'string' ? scrub(segment) : segment)),
  }));
}
