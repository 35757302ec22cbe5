import type { PositionMap } from '../spec/locate';
import type { SpecPath } from '../spec/path';

/** One CloudFormation template as gantry's deploy-time rules read it. */
export interface LintTemplate {
  /** Path relative to the folder being linted, with `/`. */
  readonly file: string;
  /** The parsed template (long-form intrinsics: `Ref`, `Fn::Sub`, ... as gantry writes them). */
  readonly data: Readonly<Record<string, unknown>>;
  readonly positions: PositionMap;
  /**
   * The stack's name when it can be known before a deploy (`<project>-<env>-<stack>`, from the
   * template's Project and Environment tags and its file name), for names built from it.
   */
  readonly stackName?: string;
}

/** What a rule reports: where in the template (a path that the locator turns into file:line) and why. */
export interface RuleMatch {
  /** The template it is in; a rule that looks across templates may report in another one. */
  readonly file: string;
  readonly path: SpecPath;
  readonly message: string;
}

/**
 * A deploy-time rule in cfn-lint's model: an id, a one-line description, the source that says
 * AWS rejects it (or why it fails), and a check that reports paths. Each rule sees every template
 * of the run, since some problems (an alias claimed twice) exist only between templates.
 */
export interface TemplateRule {
  /** `GNT4xx`: gantry's template rules (GNT1xx schema, GNT2xx spec rules, GNT3xx build problems). */
  readonly id: string;
  readonly description: string;
  /** Where the behaviour is documented or reported. */
  readonly source: string;
  check(templates: readonly LintTemplate[]): RuleMatch[];
}

/** The resources of a template with their logical ids, in file order. */
export function resourcesOf(template: LintTemplate, type?: string | RegExp): [string, Record<string, unknown>][] {
  const resources = template.data.Resources;
  if (!isRecord(resources)) return [];
  return Object.entries(resources).filter((entry): entry is [string, Record<string, unknown>] => {
    const resource = entry[1];
    if (!isRecord(resource) || typeof resource.Type !== 'string') return false;
    if (type === undefined) return true;
    return typeof type === 'string' ? resource.Type === type : type.test(resource.Type);
  });
}

export function propertiesOf(resource: Record<string, unknown>): Record<string, unknown> {
  return isRecord(resource.Properties) ? resource.Properties : {};
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The logical ids a value refers to (`Ref`, `Fn::GetAtt`, `${Name}` in `Fn::Sub`), pseudo parameters excluded. */
export function referencedIds(value: unknown): Set<string> {
  const found = new Set<string>();
  const walk = (node: unknown) => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (!isRecord(node)) return;
    for (const [key, inner] of Object.entries(node)) {
      if (key === 'Ref' && typeof inner === 'string') found.add(inner);
      else if (key === 'Fn::GetAtt') {
        const target = Array.isArray(inner) ? inner[0] : typeof inner === 'string' ? inner.split('.')[0] : undefined;
        if (typeof target === 'string') found.add(target);
      } else if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? inner[0] : inner;
        if (typeof text === 'string') for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) found.add((m[1] as string).split('.')[0] as string);
        if (Array.isArray(inner)) walk(inner[1]);
      } else walk(inner);
    }
  };
  walk(value);
  for (const id of found) if (id.startsWith('AWS::')) found.delete(id);
  return found;
}

/** The resources one resource waits for: its DependsOn and every resource its properties refer to, transitively. */
export function dependenciesOf(template: LintTemplate, logicalId: string): Set<string> {
  const resources = isRecord(template.data.Resources) ? template.data.Resources : {};
  const seen = new Set<string>();
  const visit = (id: string) => {
    const resource = resources[id];
    if (!isRecord(resource)) return;
    const direct = referencedIds(resource.Properties);
    const dependsOn = resource.DependsOn;
    for (const d of Array.isArray(dependsOn) ? dependsOn : dependsOn === undefined ? [] : [dependsOn]) if (typeof d === 'string') direct.add(d);
    for (const next of direct) {
      if (seen.has(next)) continue;
      seen.add(next);
      visit(next);
    }
  };
  visit(logicalId);
  return seen;
}
