import { exportName, type StackKindName, type StackOutline } from './kinds';

/**
 * What a built template exports and imports, held to its kind's declaration (kinds.ts). A
 * CloudFormation deploy refuses a stack that imports an export no stack of the region has ("No
 * export named … found"), and a team's own stacks import gantry's exports by name; so a template
 * that imports anything its kind does not declare, or that its exporter does not export there, or
 * that exports other outputs than its kind declares, is a gantry bug and fails the build. That also
 * catches a blueprint's placeholder import (`!ImportValue NETWORK-VpcId`) a builder left in place.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-exports.html
 */
export function checkCrossStackReferences(stack: StackOutline, template: Record<string, unknown>, region: readonly StackOutline[]): void {
  const bug = (what: string) => new Error(`gantry bug: the ${stack.kind.kind} stack ${stack.stackName} ${what} (kinds.ts)`);

  const exported = Object.entries((template.Outputs ?? {}) as Record<string, { Export?: { Name?: unknown } }>)
    .filter(([, output]) => output.Export !== undefined)
    .map(([id, output]) => {
      if (JSON.stringify(output.Export?.Name) !== JSON.stringify({ 'Fn::Sub': exportName('${AWS::StackName}', id) })) throw bug(`exports its output ${id} under another name than ${exportName('<stack name>', id)}`);
      return id;
    });
  const declared = stack.exports;
  const undeclared = exported.filter((id) => !declared.includes(id));
  const missing = declared.filter((id) => !exported.includes(id));
  if (undeclared.length > 0) throw bug(`exports ${undeclared.join(', ')}, which its kind does not declare`);
  if (missing.length > 0) throw bug(`does not export ${missing.join(', ')}, which its kind declares`);

  // The exports of the stacks before it in the region's deploy order (only those exist when it deploys).
  const own = region.findIndex((s) => s.stackName === stack.stackName);
  const available = new Map<string, { kind: StackKindName; output: string }>();
  for (const earlier of region.slice(0, Math.max(own, 0))) {
    for (const output of earlier.exports) available.set(exportName(earlier.stackName, output), { kind: earlier.kind.kind, output });
  }
  for (const name of importedNames(template)) {
    const source = available.get(name);
    if (!source) throw bug(`imports ${name}, which no stack deployed before it in its region exports`);
    const allowed = stack.kind.imports[source.kind] ?? [];
    if (!allowed.some((pattern) => outputMatches(pattern, source.output))) throw bug(`imports ${source.output} of a ${source.kind} stack, which its kind does not declare among its imports`);
  }
}

/** Whether an output is one a kind's import names (`<n>`: a number). */
function outputMatches(pattern: string, output: string): boolean {
  return pattern.includes('<n>') ? new RegExp(`^${pattern.split('<n>').join('[0-9]+')}$`).test(output) : pattern === output;
}

/** Every export name the template imports; gantry writes each Fn::ImportValue as a plain string. */
function importedNames(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) importedNames(item, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key !== 'Fn::ImportValue') importedNames(item, found);
      else if (typeof item === 'string') found.add(item);
      else throw new Error(`gantry bug: a template imports a computed export name (${JSON.stringify(item)}), which cannot be checked`);
    }
  }
  return found;
}

