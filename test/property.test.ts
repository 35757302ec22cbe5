import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { dump, load } from 'js-yaml';
import { hasErrors } from '../generator/diagnostics';
import { checkLoadedSpec } from '../generator/pipeline';
import { loadSpecText } from '../generator/spec/load';
import { isPlainObject } from '../generator/spec/path';
import { REPO_ROOT } from './helpers';

const examples = fs.readdirSync(path.join(REPO_ROOT, 'examples')).filter((f) => f.endsWith('.yaml'))
  .map((f) => load(fs.readFileSync(path.join(REPO_ROOT, 'examples', f), 'utf8')) as Record<string, unknown>);

/** Every path to a value inside a document. */
function paths(node: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(node)) node.forEach((v, i) => { out.push([...prefix, i]); paths(v, [...prefix, i], out); });
  else if (isPlainObject(node)) for (const [k, v] of Object.entries(node)) { out.push([...prefix, k]); paths(v, [...prefix, k], out); }
  return out;
}

type Mutation = { kind: 'drop' | 'rename' | 'retype'; pick: number; value: unknown; suffix: string };

function mutate(document: Record<string, unknown>, mutations: Mutation[]): unknown {
  const copy = JSON.parse(JSON.stringify(document)) as Record<string, unknown>;
  for (const m of mutations) {
    const all = paths(copy);
    if (all.length === 0) break;
    const target = all[m.pick % all.length]!;
    const parent = target.slice(0, -1).reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], copy) as Record<string | number, unknown>;
    const key = target[target.length - 1]!;
    if (m.kind === 'drop') {
      if (Array.isArray(parent)) parent.splice(key as number, 1); else delete parent[key];
    } else if (m.kind === 'rename' && !Array.isArray(parent)) {
      parent[`${String(key)}${m.suffix}`] = parent[key];
      delete parent[key];
    } else {
      parent[key] = m.value;
    }
  }
  return copy;
}

const scalar = fc.oneof(
  fc.integer({ min: -5, max: 70000 }), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null), fc.string({ maxLength: 12 }),
  fc.constantFrom('', '10.0.0.0/8', 'us-east-1', 'PT2H', 'sqlserver-ex', 'AKIAIOSFODNN7EXAMPLE', '/', '22', 'web', 'prod'),
);
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 6 }), scalar, { maxKeys: 3 }));
const mutation = fc.record({
  kind: fc.constantFrom('drop' as const, 'rename' as const, 'retype' as const),
  pick: fc.nat(),
  value,
  suffix: fc.constantFrom('s', 'X', '_', '-1', ''),
});

/** The pipeline's contract on any input: a model, or at least one positioned error; never an exception. */
function checkText(text: Buffer): void {
  const loaded = loadSpecText('fuzz.yaml', text);
  if (!loaded.ok) {
    expect(loaded.diagnostics.length).toBeGreaterThan(0);
    for (const d of loaded.diagnostics) expect(d.message.length).toBeGreaterThan(0);
    return;
  }
  const report = checkLoadedSpec(loaded.spec);
  if (report.model) {
    expect(hasErrors(report.diagnostics)).toBe(false);
  } else {
    expect(hasErrors(report.diagnostics)).toBe(true);
    for (const d of report.diagnostics) {
      expect(d.position.line).toBeGreaterThanOrEqual(1);
      expect(d.message).toMatch(/\S/);
      expect(d.message).not.toMatch(/must NOT|must match pattern|must be equal to/); // never ajv's raw text
    }
  }
}

describe('any mutation of a valid spec', () => {
  it('ends in a model or positioned errors, never an exception', () => {
    fc.assert(
      fc.property(fc.nat({ max: examples.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (index, mutations) => {
        const mutated = mutate(examples[index]!, mutations);
        checkText(Buffer.from(dump(JSON.parse(JSON.stringify(mutated)))));
      }),
      { numRuns: 400, seed: 20261122 },
    );
  });

  it('survives random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => checkText(Buffer.from(bytes))), { numRuns: 300, seed: 7 });
  });

  it('survives random text spliced into a valid spec', () => {
    const text = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'medical-logistics.yaml'), 'utf8');
    fc.assert(
      fc.property(fc.nat({ max: text.length }), fc.string({ maxLength: 20 }), (at, insert) => {
        checkText(Buffer.from(text.slice(0, at) + insert + text.slice(at)));
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});
