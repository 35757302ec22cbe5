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

/** Which resources a rule reads: one type, a pattern, or a list of types. */
export type ResourceTypes = string | RegExp | readonly string[];

/** One resource of a template, as a per-resource rule reads it. */
export interface LintResource {
  readonly template: LintTemplate;
  readonly id: string;
  readonly type: string;
  /** The whole entry: Type, Properties, DependsOn, DeletionPolicy, Metadata. */
  readonly data: Record<string, unknown>;
  /** Its Properties, or an empty mapping. */
  readonly properties: Record<string, unknown>;
}

/** What a per-resource rule finds: a path below the resource (`['Properties', 'RoleName']`) and why. */
export interface ResourceMatch {
  readonly path: SpecPath;
  readonly message: string;
  /** The logical id the path starts at when the fix belongs to another resource of the template (a retained log group's key). */
  readonly resource?: string;
}

/**
 * A rule that judges each resource of some types on its own: it names the types and says what it
 * finds in one resource; this walks every template's resources of those types, in file order, and
 * turns each finding into a match at `Resources.<logical id>.<path>`.
 */
export function resourceRule(rule: Omit<TemplateRule, 'check'> & {
  readonly types: ResourceTypes;
  check(resource: LintResource): Iterable<ResourceMatch>;
}): TemplateRule {
  const { types, check, ...described } = rule;
  return {
    ...described,
    check(templates) {
      const matches: RuleMatch[] = [];
      for (const template of templates) {
        for (const resource of resourcesOf(template, types)) {
          for (const match of check(resource)) {
            matches.push({ file: template.file, path: ['Resources', match.resource ?? resource.id, ...match.path], message: match.message });
          }
        }
      }
      return matches;
    },
  };
}

/** The resources of a template (of some types, or all), in file order. */
export function resourcesOf(template: LintTemplate, types?: ResourceTypes): LintResource[] {
  const resources = template.data.Resources;
  if (!isRecord(resources)) return [];
  const found: LintResource[] = [];
  for (const [id, data] of Object.entries(resources)) {
    if (!isRecord(data) || typeof data.Type !== 'string' || !isOfType(data.Type, types)) continue;
    found.push({ template, id, type: data.Type, data, properties: propertiesOf(data) });
  }
  return found;
}

function isOfType(type: string, types: ResourceTypes | undefined): boolean {
  if (types === undefined) return true;
  if (typeof types === 'string') return type === types;
  return types instanceof RegExp ? types.test(type) : types.includes(type);
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
