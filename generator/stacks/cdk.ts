import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { CfnParameter, CfnResource, Fn, LegacyStackSynthesizer, Stack } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { Construct, type IConstruct } from 'constructs';
import { PACKAGE_ROOT } from '../paths';
import { declaredLookup, exportName, LOOKED_UP_PARAMETERS, stackKind, type ParameterLookup, type StackKindName, type StackPlace } from './kinds';

export const BLUEPRINTS_DIR = path.join(PACKAGE_ROOT, 'blueprints');

/**
 * A CDK stack that renders to a plain template: no CDKMetadata, no path metadata, no bootstrap
 * version rule or asset parameters (the legacy synthesizer), and no synth-time validation, which
 * would cost over a second per run (`gantry lint` validates instead).
 * NOTE: construct metadata never reaches a template rendered by `_toCloudFormation`, so gantry
 * asks for none: no creation stack trace per construct (aws-cdk-lib captures and parses one for
 * every resource, parameter and output, about a tenth of a build) and no logical-id metadata.
 */
export function newTemplateStack(): Stack {
  tokensBefore ??= registeredTokens();
  serveParsedBlueprints();
  if (!root) {
    root = new Construct(undefined as unknown as Construct, '');
    for (const [key, value] of Object.entries(CONTEXT)) root.node.setContext(key, value);
  }
  return new Stack(root, `Template${++stacksBuilt}`, { synthesizer: new LegacyStackSynthesizer(), analyticsReporting: false });
}

/** What an App would be given: no path metadata, stack traces or logical-id metadata (analytics are off per stack). */
const CONTEXT: Readonly<Record<string, unknown>> = {
  'aws:cdk:enable-path-metadata': false,
  'aws:cdk:disable-stack-trace': true,
  'aws:cdk:disable-creation-stack-traces': true,
  'aws:cdk:disable-logicalId-metadata': true,
};

/**
 * NOTE: one root construct holds every template's stack while it is built, and lets go of it once
 * it is resolved (templateOf). It is a plain construct, not an App: an App is a Stage, which
 * creates a cloud assembly builder (a temporary folder, removed at exit, and the cloud assembly
 * modules: about 60 ms to load), loads context from the environment and files (CDK_CONTEXT_JSON
 * would change gantry's output), and runs synth-time validation; `templateOf` renders each stack
 * with none of that. The stack's id never reaches its template (logical ids are relative to the
 * stack; AWS::StackName stays a Ref). NOTE: without a Stage, CDK's `stack.stackName` becomes the id
 * plus a hash (`Template11A72A5FE`): builders never read it, and must not (nor CDK-generated export
 * names or physical names); gantry names stacks in kinds.ts.
 */
let root: Construct | undefined;
let stacksBuilt = 0;

/** Includes the blueprint of a kind (kinds.ts), or the bootstrap's, with its logical ids preserved. */
export function includeBlueprint(stack: Stack, kind: StackKindName | 'bootstrap'): CfnInclude {
  const name = kind === 'bootstrap' ? kind : stackKind(kind).blueprint;
  const blueprint = new CfnInclude(stack, 'Blueprint', { templateFile: blueprintFile(name), preserveLogicalIds: true });
  blueprintNames.set(blueprint, name);
  // NOTE: CfnInclude records a blueprint's DependsOn as construct dependencies, which only a full
  // `app.synth()` turns back into DependsOn; templateOf renders the stack directly, so they are
  // made resource dependencies here (else the ALB's wait for its log bucket policy, or the public
  // route's for the internet gateway attachment, would silently disappear).
  for (const child of blueprint.node.children) {
    if (!(child instanceof CfnResource)) continue;
    for (const dependency of child.node.dependencies) if (dependency instanceof CfnResource) child.addResourceDependency(dependency);
  }
  return blueprint;
}

const blueprintNames = new WeakMap<CfnInclude, string>();

/**
 * A property path of a blueprint resource for `addPropertyOverride`, with each list item named by
 * one of its fields instead of its position: `LoadBalancerAttributes[Key=deletion_protection.enabled].Value`
 * becomes `LoadBalancerAttributes.3.Value`, found in the blueprint as written. Reordering or
 * adding items in a blueprint cannot make an override land on the wrong one; a selector that
 * matches no item, or more than one, is a gantry bug and fails the build.
 */
export function propertyPath(blueprint: CfnInclude, logicalId: string, keyed: string): string {
  const name = blueprintNames.get(blueprint);
  const template = name === undefined ? undefined : parsedBlueprints.get(blueprintFile(name))?.parsed as { Resources?: Record<string, { Properties?: unknown }> } | undefined;
  let node: unknown = template?.Resources?.[logicalId]?.Properties;
  const segments = keyed.match(/[^.[\]]+(\[[^=\]]+=[^\]]+\])?/g) ?? [];
  const out: string[] = [];
  for (const segment of segments) {
    const selector = /^([^[]+)\[([^=]+)=(.+)\]$/.exec(segment);
    const key = selector ? selector[1] as string : segment;
    node = (node as Record<string, unknown> | undefined)?.[key];
    out.push(key);
    if (!selector) continue;
    const [, , field, value] = selector as unknown as [string, string, string, string];
    const matches = Array.isArray(node) ? node.flatMap((item, i) => ((item as Record<string, unknown>)?.[field] === value ? [i] : [])) : [];
    if (matches.length !== 1) throw new Error(`gantry bug: ${name ?? 'the'} blueprint's ${logicalId}.${out.join('.')} has ${matches.length} items with ${field} ${value}, not one`);
    out.push(String(matches[0]));
    node = (node as unknown[])[matches[0] as number];
  }
  return out.join('.');
}

function blueprintFile(name: string): string {
  return path.join(BLUEPRINTS_DIR, `${name}.yaml`);
}

/**
 * Each blueprint's parsed template, read once per run, and as JSON text: parsing that again is the
 * cheapest deep copy (half of structuredClone's time).
 */
const parsedBlueprints = new Map<string, { parsed: unknown; text: string }>();
let serving = false;

/**
 * NOTE: CfnInclude reads and parses its template file for every stack (`readYamlSync` of
 * cloudformation-include/lib/file-utils.js, CloudFormation's YAML with its short-form tags), and
 * parsing was about a seventh of a build. It only takes a file name, so gantry wraps that reader:
 * a blueprint is read once per run and each CfnInclude gets its own deep copy (an included
 * resource keeps parts of the template, such as its Metadata, and builders add to them). Even
 * once, that YAML parser takes tens of milliseconds per blueprint, so the build parses them into
 * dist/blueprints/*.json (scripts/compile-blueprints.js), used while the YAML's hash matches.
 * Any other file goes to the original reader.
 */
function serveParsedBlueprints(): void {
  if (serving) return;
  serving = true;
  const cdkLib = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fileUtils = require(path.join(cdkLib, 'cloudformation-include/lib/file-utils.js')) as { readYamlSync(file: string): unknown };
  memoiseServiceModuleResolution(cdkLib);
  const read = fileUtils.readYamlSync;
  fileUtils.readYamlSync = (file: string) => {
    if (path.dirname(file) !== BLUEPRINTS_DIR) return read(file);
    let blueprint = parsedBlueprints.get(file);
    if (blueprint === undefined) {
      const parsed = precompiledBlueprint(file) ?? read(file);
      parsedBlueprints.set(file, (blueprint = { parsed, text: JSON.stringify(parsed) }));
    }
    return JSON.parse(blueprint.text);
  };
}

/**
 * NOTE: CfnInclude finds each resource's L1 class with `require('aws-cdk-lib/aws-ec2')` (the
 * service named by its type), once per resource. Node skips resolving a request only for the
 * module that first loaded what it names; gantry's builders load the service modules before any
 * CfnInclude runs, so every one of those requires resolved the name again through aws-cdk-lib's
 * package exports (377 entries): about 90 ms of the 10 environment-region build (1,424
 * resources). The resolution is the same every time, so it is remembered, for CfnInclude's
 * module alone.
 */
function memoiseServiceModuleResolution(cdkLib: string): void {
  const cfnInclude = path.join(cdkLib, 'cloudformation-include', 'lib', 'cfn-include.js');
  type Resolve = (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loader = require('node:module') as unknown as { _resolveFilename: Resolve };
  const resolve = loader._resolveFilename;
  // Node's own hook (stable since Node 0.x); without it, requires simply resolve as before.
  if (typeof resolve !== 'function') return;
  const resolved = new Map<string, string>();
  loader._resolveFilename = function (this: unknown, request, parent, ...rest) {
    if (parent?.filename !== cfnInclude) return resolve.call(this, request, parent, ...rest);
    let file = resolved.get(request);
    if (file === undefined) resolved.set(request, (file = resolve.call(this, request, parent, ...rest)));
    return file;
  };
}

/** The build's parse of a blueprint (dist/blueprints/<name>.json), when it is of the blueprint as it is now. */
function precompiledBlueprint(file: string): unknown {
  const json = path.join(__dirname, '..', 'blueprints', `${path.basename(file, '.yaml')}.json`);
  if (path.extname(__filename) !== '.js' || !fs.existsSync(json)) return undefined;
  const { source, template } = JSON.parse(fs.readFileSync(json, 'utf8')) as { source: string; template: unknown };
  return source === createHash('sha256').update(fs.readFileSync(file)).digest('hex') ? template : undefined;
}

/**
 * The stack's template as a plain object.
 * NOTE: `_toCloudFormation` is the resolution step `app.synth()` runs per stack, without writing
 * a cloud assembly to disk; it has been stable across aws-cdk-lib v2. Once it is resolved nothing
 * holds the stack any more (not the root, the token map or the reference table).
 */
export function templateOf(stack: Stack): Record<string, unknown> {
  const template = (stack as unknown as { _toCloudFormation(): Record<string, unknown> })._toCloudFormation();
  const text = JSON.stringify(template);
  const token = /\$\{Token\[[^\]]*\]\}/.exec(text);
  if (token) throw new Error(`gantry bug: an unresolved CDK token ${token[0]} remains in a template`);
  forgetTokens();
  forgetReferences(stack);
  stack.node.scope?.node.tryRemoveChild(stack.node.id);
  if (++templatesSinceCollection >= TEMPLATES_PER_COLLECTION) collectGarbage();
  return template;
}

/**
 * How many templates are built between two garbage collections; the first comes after twice as many,
 * so a run of up to 100 templates (every example, the 10 environment-region case) never collects.
 */
const TEMPLATES_PER_COLLECTION = 50;
let templatesSinceCollection = -TEMPLATES_PER_COLLECTION;
let gc: (() => void) | undefined;

/**
 * NOTE: once a template is resolved nothing holds its construct tree, but V8 lets the heap grow
 * long before collecting it. Measured on 200 environment-regions (1,169 files, /usr/bin/time): a
 * peak of 248 MB with a full collection every 100 templates, 196 MB every 50 (tens of milliseconds
 * each; runs of up to 100 templates never pay it); with each rendered template flattened at once
 * (render/yaml.ts), 176–180 MB every 50, 289–302 MB with none, and no lower every 30 or 20. V8's
 * own sizing does not replace it (same case, no forced collection): --max-old-space-size=160 gave
 * 197 MB and 12.7 s against 177 MB and 11.2 s, --heap-growing-percent=10 202 MB and 12.7 s, a larger
 * young generation (--max-semi-space-size=64) 412 MB; only --optimize-for-size stayed under 200 MB
 * (143 MB), 45 % slower. `gc` is
 * V8's own, reached through its --expose-gc flag at run time; where that is refused, V8 simply
 * collects when it likes.
 */
function collectGarbage(): void {
  templatesSinceCollection = 0;
  try {
    if (!gc) {
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc') as () => void;
    }
    gc();
  } catch {
    gc = () => undefined;
  }
}

interface TokenMapInternals {
  stringTokenMap: Map<string, unknown>;
  numberTokenMap: Map<number, unknown>;
}

let tokensBefore: { strings: Set<string>; numbers: Set<number> } | undefined;

/**
 * NOTE: aws-cdk-lib keeps every stringified token in a process-wide map (`globalThis.__cdkTokenMap`,
 * core/lib/private/token-map.js), and each token holds its construct, so every stack ever built
 * stays in memory: 1,000 templates grew the heap past 300 MB. Once a template is resolved its
 * tokens are never looked up again, so they are dropped. aws-cdk-lib's shared pseudo-parameter
 * tokens (Aws.ACCOUNT_ID and the like, keyed `AWS.*`, registered on first use) always stay.
 */
function forgetTokens(): void {
  const map = (globalThis as { __cdkTokenMap?: TokenMapInternals }).__cdkTokenMap;
  if (!map || !tokensBefore) return;
  for (const key of [...map.stringTokenMap.keys()]) if (!tokensBefore.strings.has(key) && !key.startsWith('AWS.')) map.stringTokenMap.delete(key);
  for (const key of [...map.numberTokenMap.keys()]) if (!tokensBefore.numbers.has(key)) map.numberTokenMap.delete(key);
}

/**
 * NOTE: aws-cdk-lib also caches every `Ref`/`GetAtt` it creates in a static map keyed by target
 * construct (`CfnReference.referenceTable`, core/lib/private/cfn-reference.js), which holds each
 * stack's whole construct tree. The entries of a stack whose template is resolved are dropped.
 */
function forgetReferences(stack: Stack): void {
  const table = cfnReferenceTable();
  for (const target of [...table.keys()]) if (target.node.scopes.includes(stack)) table.delete(target);
}

let referenceTable: Map<IConstruct, unknown> | undefined;
function cfnReferenceTable(): Map<IConstruct, unknown> {
  if (!referenceTable) {
    const root = path.dirname(require.resolve('aws-cdk-lib/package.json'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(path.join(root, 'core/lib/private/cfn-reference.js')) as { CfnReference: { referenceTable?: Map<IConstruct, unknown> } };
    referenceTable = module.CfnReference.referenceTable ?? new Map();
  }
  return referenceTable;
}

function registeredTokens(): { strings: Set<string>; numbers: Set<number> } {
  const map = (globalThis as { __cdkTokenMap?: TokenMapInternals }).__cdkTokenMap;
  return { strings: new Set(map?.stringTokenMap.keys() ?? []), numbers: new Set(map?.numberTokenMap.keys() ?? []) };
}

/**
 * An output of an earlier stack of the region (`from`, at `place`), imported by the name its
 * kind's stack exports it under. The build checks every import against both kinds' declarations
 * (cross-stack.ts).
 */
export function importValue(from: StackKindName, place: StackPlace, output: string): string {
  return Fn.importValue(exportName(stackKind(from).stackName(place), output));
}

/**
 * Declares a parameter that a deploy looks up (kinds.ts says which, and how); throws when the
 * stack's kind does not list it, so a template never asks for a value no deploy provides.
 */
export function lookedUpParameter(stack: Stack, lookups: readonly ParameterLookup[], name: string): CfnParameter {
  const lookup = declaredLookup(lookups, name);
  const declared = LOOKED_UP_PARAMETERS[name];
  if (!declared) throw new Error(`gantry bug: kinds.ts declares no template parameter for the lookup ${name}`);
  // Declared once per template, however many resources read it.
  const existing = stack.node.tryFindChild(name);
  if (existing instanceof CfnParameter) return existing;
  const parameter = new CfnParameter(stack, name, {
    type: declared.type,
    ...(declared.default !== undefined ? { default: declared.default } : {}),
    ...(declared.allowedValues ? { allowedValues: [...declared.allowedValues] } : {}),
    ...(declared.allowedPattern ? { allowedPattern: declared.allowedPattern } : {}),
    ...(declared.constraintDescription ? { constraintDescription: declared.constraintDescription } : {}),
    description: declared.description(lookup),
  });
  parameter.overrideLogicalId(name);
  return parameter;
}
