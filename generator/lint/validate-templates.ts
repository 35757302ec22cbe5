import { spawn, spawnSync, type ChildProcessWithoutNullStreams, type SpawnSyncReturns } from 'node:child_process';
import path from 'node:path';
import type { Artifact } from '../artifact';

/** One finding of AWS's CloudFormation validator in a generated template. */
export interface TemplateFinding {
  readonly file: string;
  readonly severity: 'error' | 'warning';
  readonly ruleId: string;
  readonly logicalId?: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** What the validator's process sends back for one template: its diagnostics, as the engine gives them. */
interface Diagnostic {
  readonly ruleId: string;
  readonly severity: string;
  readonly message: string;
  readonly logicalId?: string;
  readonly startLine?: number;
  readonly startColumn?: number;
}

/**
 * V8 flags of the validator's process. The validator is Rust compiled to WebAssembly; building its
 * engine grows the module's memory from 34 to 167 MB in about two thousand small steps, and V8
 * reports every step as external memory pressure. With concurrent marking (V8's default) each
 * report starts or advances a marking cycle: about 1,200 collections took 4.6 s of a 7.5 s engine
 * build (profiled on the largest example). Without it, 121 collections took 0.2 s. Liftoff only
 * (V8's baseline WebAssembly compiler, no optimising tier-up) saves about 160 MB and is faster for
 * code that runs once. Both are startup flags: V8 may crash when its collector's flags change in a
 * running process, which is why the validator runs in a process of its own.
 */
const VALIDATOR_FLAGS = ['--no-concurrent-marking', '--liftoff-only'];

/**
 * The validator's process (`node -e`, so it runs the same whether gantry runs from dist/ or from
 * its TypeScript source): builds the engine while the templates arrive on stdin as JSON
 * ([{ path, content }]), validates each, and writes their diagnostics to stdout as JSON. Its CEL
 * engine reports exactly what the default CompositeEngine reports (compared on every generated
 * template; the validator's README says its engines are interchangeable) and validates a template
 * about five times faster, the CompositeEngine's Rego rules being the slow part. One engine
 * validates every template: building it is most of the cost (it compiles the bundled resource
 * schemas and rules).
 */
const VALIDATOR_PROGRAM = `'use strict';
process.on('uncaughtException', (error) => {
  process.stderr.write(String(error instanceof Error ? error.message : error));
  process.exit(1);
});
const validator = require(process.argv[1]);
const engine = new validator.CelEngine();
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  const templates = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const reports = templates.map((template) => engine.validateTemplate(new validator.TemplateContent(template.content, template.path), { detailLevel: 'STANDARD' })
    .diagnostics.map((d) => ({ ruleId: d.ruleId, severity: d.severity, message: d.message, logicalId: d.entity?.logicalId, startLine: d.startLine, startColumn: d.startColumn })));
  // No engine.free(), and exit as soon as the answer is written: freeing 170 MB of WebAssembly memory
  // piece by piece, or tearing the heap down, costs 70–200 ms.
  process.stdout.write(JSON.stringify(reports), () => process.exit(0));
});
`;

/**
 * AWS's own CloudFormation validator (`@aws/cloudformation-validate`, the engine aws-cdk-lib
 * bundles) over templates held in memory, in a Node process of its own (see VALIDATOR_FLAGS).
 * Errors and warnings only: informational notes are not problems. `validate` and `generate`
 * never pay for it.
 */
export function validateTemplates(templates: readonly Artifact[]): TemplateFinding[] {
  const result = spawnSync(process.execPath, validatorArguments(), { input: JSON.stringify(templates), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: process.env });
  if (result.error) throw result.error;
  return findingsOf(templates, result);
}

/** A validator's process started before its templates were known, and a failure to start it. */
let prestarted: { child: ChildProcessWithoutNullStreams; error?: Error } | undefined;

function spawnValidator(): { child: ChildProcessWithoutNullStreams; error?: Error } {
  const started: { child: ChildProcessWithoutNullStreams; error?: Error } = {
    child: spawn(process.execPath, validatorArguments(), { stdio: ['pipe', 'pipe', 'pipe'], env: process.env }),
  };
  started.child.on('error', (error) => { started.error = error; });
  return started;
}

/**
 * Starts the validator's process now, before the templates are read (`gantry lint` calls it as the
 * CLI starts): building its engine takes most of lint's time, and it can overlap Node's and the
 * CLI's own start-up. The next startTemplateValidation feeds it; stopPrestartedValidation ends it
 * when nothing did.
 */
export function prestartTemplateValidation(): void {
  prestarted ??= spawnValidator();
}

/** Ends a prestarted validator that no startTemplateValidation used (lint stopped before it validated). */
export function stopPrestartedValidation(): void {
  prestarted?.child.kill();
  prestarted = undefined;
}

/**
 * The same, started at once (or taken over from prestartTemplateValidation) and answered later,
 * so that gantry's own rules run on this process's core while the validator builds its engine on the other.
 */
export function startTemplateValidation(templates: readonly Artifact[]): Promise<TemplateFinding[]> {
  const started = prestarted ?? spawnValidator();
  prestarted = undefined;
  return new Promise((resolve, reject) => {
    const { child } = started;
    if (started.error) return reject(started.error);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (status, signal) => {
      try {
        resolve(findingsOf(templates, { status, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }));
      } catch (error) {
        reject(error);
      }
    });
    // A validator that dies early closes its stdin; its exit status says why, not this write.
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(templates));
  });
}

function validatorArguments(): string[] {
  // NOTE: aws-cdk-lib ships the validator as its own dependency and does not re-export it.
  const validator = require.resolve('@aws/cloudformation-validate', { paths: [path.dirname(require.resolve('aws-cdk-lib/package.json'))] });
  return [...VALIDATOR_FLAGS, '-e', VALIDATOR_PROGRAM, validator];
}

function findingsOf(templates: readonly Artifact[], result: Pick<SpawnSyncReturns<string>, 'status' | 'signal' | 'stdout' | 'stderr'>): TemplateFinding[] {
  if (result.status !== 0) {
    // The program reports its own failures as one message; Node's own (a preload that fails) come with a stack trace.
    const lines = result.stderr.split('\n').map((line) => line.trim()).filter((line) => line !== '');
    const reason = lines.find((line) => /^[A-Za-z]*Error\b.*:/.test(line)) ?? (lines.join(' ').slice(0, 500) || `killed by ${result.signal}`);
    throw new Error(`AWS's CloudFormation validator stopped (exit ${result.status ?? result.signal}): ${reason}`);
  }
  const reports = JSON.parse(result.stdout) as Diagnostic[][];
  if (!Array.isArray(reports) || reports.length !== templates.length) throw new Error(`AWS's CloudFormation validator answered for ${reports.length} of ${templates.length} templates`);
  const findings: TemplateFinding[] = [];
  templates.forEach((template, i) => {
    for (const d of reports[i] ?? []) {
      const severity = d.severity === 'ERROR' || d.severity === 'FATAL' ? 'error' : d.severity === 'WARN' ? 'warning' : undefined;
      if (!severity) continue;
      findings.push({
        file: template.path, severity, ruleId: d.ruleId, logicalId: d.logicalId,
        line: d.startLine ?? 1, column: d.startColumn ?? 1, message: d.message,
      });
    }
  });
  return findings;
}
