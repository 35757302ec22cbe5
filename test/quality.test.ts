import fs from 'node:fs';
import path from 'node:path';
import type { Artifact } from '../generator/artifact';
import { checkTemplateRules } from '../generator/lint/template-rules';
import { validateTemplates } from '../generator/lint/validate-templates';
import { INLINE_TEMPLATE_BYTES } from '../generator/stacks/plan';
import { readTree, REPO_ROOT, sharedTrees } from './helpers';
import { nagFindings } from './nag';

/** Every example and every spec kept aside in test/specs/. */
const specs = sharedTrees().map((tree) => tree.spec);

/** The templates of every example and every spec kept aside in test/specs/, generated once per test run. */
const templates: Artifact[] = sharedTrees().flatMap((tree) => Object.entries(readTree(tree.dir))
  .filter(([file]) => file.endsWith('.yaml') && !file.startsWith('.github/'))
  .map(([file, content]) => ({ path: `${tree.spec}: ${file}`, content })));

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

  it('are every template of every spec', () => {
    expect(templates.filter((t) => t.path.startsWith('examples/medical-logistics.yaml: ')).map((t) => t.path.split(': ')[1]).sort()).toEqual([
      ...['af-south-1/api', 'af-south-1/database', 'af-south-1/network', 'af-south-1/notifications', 'bootstrap', 'global/budget', 'global/edge'].map((f) => `preprod/${f}.yaml`),
      ...['af-south-1/api', 'af-south-1/database', 'af-south-1/network', 'af-south-1/notifications', 'bootstrap',
        'eu-west-1/api', 'eu-west-1/database', 'eu-west-1/network', 'eu-west-1/notifications', 'global/budget', 'global/edge'].map((f) => `prod/${f}.yaml`),
    ]);
    expect(new Set(templates.map((t) => t.path.split(': ')[0])).size).toBe(fs.readdirSync(path.join(REPO_ROOT, 'examples')).length + fs.readdirSync(path.join(REPO_ROOT, 'test/specs')).length);
  });

  it('stay under the inline template size limit', () => {
    expect(templates.filter((t) => Buffer.byteLength(t.content) > INLINE_TEMPLATE_BYTES).map((t) => t.path)).toEqual([]);
  });
});
