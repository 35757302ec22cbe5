import fs from 'node:fs';
import path from 'node:path';
import type { Artifact } from '../generator/artifact';
import { checkTemplateRules } from '../generator/lint/template-rules';
import { validateTemplates } from '../generator/lint/validate-templates';
import { readSpec } from '../generator/pipeline';
import { INLINE_TEMPLATE_BYTES } from '../generator/stacks/plan';
import { buildTemplates } from '../generator/stacks/registry';
import { REPO_ROOT } from './helpers';
import { nagFindings } from './nag';

/** Every example and every spec kept aside in test/specs/. */
const specs = [
  ...fs.readdirSync(path.join(REPO_ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => `examples/${f}`),
  ...fs.readdirSync(path.join(REPO_ROOT, 'test/specs')).filter((f) => f.endsWith('.yaml')).map((f) => `test/specs/${f}`),
].sort();

const templates: Artifact[] = specs.flatMap((spec) => {
  const report = readSpec(path.join(REPO_ROOT, spec));
  if (!report.model) throw new Error(`${spec} is invalid: ${report.diagnostics.map((d) => d.message).join('; ')}`);
  return buildTemplates(report.model).map((a) => ({ ...a, path: `${spec}: ${a.path}` }));
});


describe('generated templates', () => {
  it('get no errors and no warnings from AWS\'s CloudFormation validator', () => {
    expect(validateTemplates(templates).map((f) => `${f.file} ${f.ruleId} ${f.logicalId ?? ''}: ${f.message}`)).toEqual([]);
  });

  it("pass gantry's deploy-time rules (each spec's templates together, as gantry lint reads them)", () => {
    const findings = specs.flatMap((spec) => {
      const own = templates.filter((t) => t.path.startsWith(`${spec}: `)).map((t) => ({ ...t, path: t.path.slice(spec.length + 2) }));
      return checkTemplateRules(own).map((f) => `${spec}: ${f.file}:${f.line} ${f.ruleId} ${f.logicalId ?? ''}: ${f.message}`);
    });
    expect(findings).toEqual([]);
  });

  it('get no unacknowledged cdk-nag AwsSolutions findings', () => {
    expect(nagFindings(templates)).toEqual([]);
  });

  it('stay under the inline template size limit', () => {
    expect(templates.filter((t) => Buffer.byteLength(t.content) > INLINE_TEMPLATE_BYTES).map((t) => t.path)).toEqual([]);
  });
});
