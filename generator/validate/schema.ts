import fs from 'node:fs';
import path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { SCHEMA_FILE } from '../paths';
import { formatPath, pathFromPointer, type SpecPath } from '../spec/path';
import { didYouMean, joinHints, listWords } from '../util/suggest';
import { error, type Finding } from './finding';

let cached: ValidateFunction | undefined;

/**
 * The schema validator: the standalone code compiled at build time when it exists (fast start),
 * else compiled now (tests run from source).
 */
export function schemaValidator(): ValidateFunction {
  if (cached) return cached;
  const precompiled = path.join(__dirname, 'schema-validator.js');
  if (path.extname(__filename) === '.js' && fs.existsSync(precompiled)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(precompiled) as ValidateFunction | { default: ValidateFunction };
    cached = typeof loaded === 'function' ? loaded : loaded.default;
  } else {
    // Loaded only here: ajv and ajv-formats are a third of a `gantry validate` start.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { compileSchema } = require('./ajv') as typeof import('./ajv');
    cached = compileSchema(rootSchema());
  }
  return cached;
}

/** The text a plain scalar was written as, for hints that quote it (`15.00`, not the number 15). */
export type RawText = (path: SpecPath) => string | undefined;

/** Checks a document against the schema; every problem becomes a plain-sentence finding. */
export function validateSchema(data: unknown, raw: RawText = () => undefined): Finding[] {
  const validate = schemaValidator();
  if (validate(data)) return [];
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const err of validate.errors ?? []) {
    const finding = describeError(err, data, raw);
    if (!finding) continue;
    const key = `${formatPath(finding.path)}|${finding.code}`;
    if (seen.has(key)) continue; // e.g. a region entry that is neither text nor a mapping fails twice
    seen.add(key);
    findings.push(finding);
  }
  return findings;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'empty',
};

/** The sections an environment may override, for hints. */
const OVERRIDABLE = ['description', 'tags', 'notifications', 'network', 'tiers', 'database', 'edge', 'alarms', 'budget'];

function describeError(err: ErrorObject, data: unknown, raw: RawText): Finding | undefined {
  const at = pathFromPointer(err.instancePath, data);
  const params = err.params as Record<string, unknown>;
  const schema = (err.parentSchema ?? {}) as Record<string, unknown>;
  const value = err.data;

  // ajv reports a bad key twice: the inner error (with propertyName) says why, on the key itself.
  if (err.keyword === 'propertyNames') return undefined;
  if (err.propertyName !== undefined) {
    const name = err.propertyName;
    const keyPath = [...at, name];
    const suggestion = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').slice(0, 20);
    return error('GNT106', keyPath, `the name "${name}" ${String(schema.patternErrorMessage ?? 'is not allowed')}`,
      suggestion && suggestion !== name && at[0] !== 'tags' ? `rename it, e.g. "${suggestion}"` : undefined);
  }

  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((schema.properties as object | undefined) ?? {});
      const inOverrides = at.length === 3 && at[0] === 'environments' && at[2] === 'overrides';
      const hint = key === '<<'
        ? 'YAML merge keys are not supported; share settings through the top-level sections and environments.*.overrides'
        : inOverrides && !OVERRIDABLE.includes(key)
          ? `${key} is the same in every environment; an environment may override ${listWords(OVERRIDABLE)}`
          : joinHints(didYouMean(key, allowed), allowed.length > 0 && allowed.length <= 12 ? `allowed fields: ${allowed.join(', ')}` : undefined);
      return error('GNT101', [...at, key], 'unknown field', hint);
    }
    case 'required': {
      const missing = String(params.missingProperty);
      return error('GNT102', at, `missing required field "${missing}"`, fieldDescription(schema, missing));
    }
    case 'dependencies': {
      return error('GNT109', at, `"${String(params.property)}" needs "${String(params.missingProperty)}" as well`);
    }
    case 'type':
      return describeType(at, value, params.type as string | string[], raw(at));
    case 'const':
      if (at.length === 1 && at[0] === 'version') {
        return error('GNT108', at, `gantry reads spec version ${String(params.allowedValue)}; this file says ${JSON.stringify(value)}`,
          `set "version: ${String(params.allowedValue)}" (the format of that version is in schemas/environment.schema.json)`);
      }
      return error('GNT105', at, `must be ${JSON.stringify(params.allowedValue)}`);
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => String(v));
      return error('GNT105', at, `${JSON.stringify(value)} is not one of the allowed values`,
        joinHints(typeof value === 'string' ? didYouMean(value, allowed) : undefined, `allowed: ${allowed.join(', ')}`));
    }
    case 'pattern':
      return error('GNT106', at, `${JSON.stringify(value)} ${String(schema.patternErrorMessage ?? `does not match ${String(params.pattern)}`)}`);
    case 'format':
      return error('GNT106', at, `${JSON.stringify(value)} is not a valid ${params.format === 'email' ? 'e-mail address' : String(params.format)}`);
    case 'minimum':
      return error('GNT104', at, `must be at least ${String(params.limit)} (found ${JSON.stringify(value)})`);
    case 'maximum':
      return error('GNT104', at, `must be at most ${String(params.limit)} (found ${JSON.stringify(value)})`);
    case 'exclusiveMinimum':
      return error('GNT104', at, `must be greater than ${String(params.limit)} (found ${JSON.stringify(value)})`);
    case 'exclusiveMaximum':
      return error('GNT104', at, `must be less than ${String(params.limit)} (found ${JSON.stringify(value)})`);
    case 'minLength':
      return error('GNT104', at, `must be at least ${String(params.limit)} characters long`);
    case 'maxLength':
      return error('GNT104', at, `must be at most ${String(params.limit)} characters long (found ${String((value as string).length)})`);
    case 'minItems':
      return error('GNT107', at, `must list at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`);
    case 'maxItems':
      return error('GNT107', at, `must list at most ${String(params.limit)} items`);
    case 'uniqueItems': {
      const later = Math.max(Number(params.i), Number(params.j));
      const items = value as unknown[];
      return error('GNT107', [...at, later], `${JSON.stringify(items[later])} is listed twice`, 'remove the repeated entry');
    }
    case 'minProperties':
    case 'maxProperties':
      return describePropertyCount(at, err.keyword, Number(params.limit));
    case 'if':
      return undefined; // the failing then/else branch reports the real problem
    default:
      return error('GNT199', at, `does not fit the spec's schema (${err.keyword})`);
  }
}

function describeType(at: SpecPath, value: unknown, expected: string | string[], written: string | undefined): Finding {
  const types = Array.isArray(expected) ? expected : [expected];
  const want = types.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
  let hint: string | undefined;
  if (types.includes('string') && (typeof value === 'number' || typeof value === 'boolean')) {
    hint = `quote it so YAML keeps it as text: "${written ?? String(value)}"`;
  } else if (types.includes('object') && value === null) {
    hint = 'give it fields, or remove the key';
  }
  if (at[at.length - 1] === 'account' && typeof value === 'number') {
    const read = String(value);
    const digits = written && /^\d+$/.test(written) ? written : read;
    const message = digits.length > read.length
      ? `must be a quoted 12-digit account id; YAML read ${digits} as the number ${read}, dropping its leading zero${digits.length - read.length > 1 ? 's' : ''}`
      : `must be a quoted 12-digit account id, not the number ${read}`;
    return error('GNT103', at, message, `write it in quotes: account: "${digits.padStart(12, '0')}"`);
  }
  return error('GNT103', at, `must be ${want}, not ${describeValue(value)}`, hint);
}

function describePropertyCount(at: SpecPath, keyword: string, limit: number): Finding {
  const last = at[at.length - 1];
  if (last === 'scaling') {
    return keyword === 'minProperties'
      ? error('GNT109', at, 'names no metric', 'give one of cpuPercent or requestsPerTarget, e.g. { cpuPercent: 60 }')
      : error('GNT109', at, 'gives both cpuPercent and requestsPerTarget; target tracking scales on one metric', 'keep one of them');
  }
  if (keyword === 'minProperties') {
    const what = last === 'tiers' ? 'tier' : last === 'environments' ? 'environment' : 'field';
    return error('GNT107', at, `must define at least ${limit} ${what}`);
  }
  return error('GNT107', at, `must have at most ${limit} fields`);
}

/** A field's description, looking through `allOf: [{ $ref }]` (how database, edge and budget add `required`). */
function fieldDescription(schema: Record<string, unknown>, field: string): string | undefined {
  const property = (schema.properties as Record<string, { description?: string; $ref?: string }> | undefined)?.[field];
  if (property?.description) return property.description;
  if (property?.$ref) return definition(property.$ref)?.description as string | undefined;
  for (const part of (schema.allOf as { $ref?: string }[] | undefined) ?? []) {
    const target = part.$ref ? definition(part.$ref) : undefined;
    if (target) return fieldDescription(target, field);
  }
  return undefined;
}

function definition(ref: string): Record<string, unknown> | undefined {
  return (rootSchema().definitions as Record<string, Record<string, unknown>>)[ref.replace('#/definitions/', '')];
}

let root: Record<string, unknown> | undefined;
function rootSchema(): Record<string, unknown> {
  root ??= JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  return root;
}

/** How a wrong value is named in a message. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  return String(value);
}
