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

interface ValidatorModule {
  CompositeEngine: new () => {
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
 */
export function validateTemplates(templates: readonly Artifact[]): TemplateFinding[] {
  // NOTE: aws-cdk-lib ships the validator as its own dependency and does not re-export it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const validator = require(path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'node_modules/@aws/cloudformation-validate')) as ValidatorModule;
  const engine = new validator.CompositeEngine();
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
