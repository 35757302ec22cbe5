import path from 'node:path';
import v8 from 'node:v8';
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

interface ValidatorModule {
  CelEngine: new () => {
    validateTemplate(template: unknown, config: { detailLevel: 'STANDARD' }): {
      diagnostics: { ruleId: string; severity: string; message: string; entity?: { logicalId?: string }; startLine?: number; startColumn?: number }[];
    };
    free(): void;
  };
  TemplateContent: new (content: string, name: string) => unknown;
}

/**
 * AWS's own CloudFormation validator (`@aws/cloudformation-validate`, the engine aws-cdk-lib
 * bundles) over templates held in memory. Errors and warnings only: informational notes are not
 * problems. Loaded on demand, so `validate` and `generate` never pay for it.
 *
 * Why it is fast enough (profiled on the largest example): building an engine costs most of the
 * run (it compiles the bundled resource schemas and rules), so one engine validates every
 * template. Its CEL engine reports exactly what the default CompositeEngine reports (compared on
 * every generated template; the validator's README says its engines are interchangeable) and
 * validates a template about five times faster, the CompositeEngine's Rego rules being the slow
 * part. V8's baseline WebAssembly compiler alone (no optimising tier-up) saves about 160 MB.
 */
export function validateTemplates(templates: readonly Artifact[]): TemplateFinding[] {
  // NOTE: aws-cdk-lib ships the validator as its own dependency and does not re-export it.
  // Only for WebAssembly compiled after this point; it changes nothing in generated output.
  v8.setFlagsFromString('--liftoff-only');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const validator = require(path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'node_modules/@aws/cloudformation-validate')) as ValidatorModule;
  const engine = new validator.CelEngine();
  const findings: TemplateFinding[] = [];
  try {
    for (const template of templates) {
      const report = engine.validateTemplate(new validator.TemplateContent(template.content, template.path), { detailLevel: 'STANDARD' });
      for (const d of report.diagnostics) {
        const severity = d.severity === 'ERROR' || d.severity === 'FATAL' ? 'error' : d.severity === 'WARN' ? 'warning' : undefined;
        if (!severity) continue;
        findings.push({
          file: template.path, severity, ruleId: d.ruleId, logicalId: d.entity?.logicalId,
          line: d.startLine ?? 1, column: d.startColumn ?? 1, message: d.message,
        });
      }
    }
  } finally {
    engine.free();
  }
  return findings;
}
