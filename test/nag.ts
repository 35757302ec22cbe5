import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, LegacyStackSynthesizer, Stack, Validations } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Artifact } from '../generator/artifact';

/**
 * cdk-nag's AwsSolutions pack over generated templates, loaded with CfnInclude as the shared
 * verify tool does. Returns the violations not acknowledged in a resource's Metadata
 * (`cdk_nag.rules_to_suppress` with a reason), as `file rule logicalId` lines.
 */
export function nagFindings(templates: readonly Artifact[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-nag-'));
  const app = new App({ outdir: path.join(dir, 'cdk.out'), builtinCloudFormationValidation: false });
  const files = new Map<string, string>();
  const acknowledged = new Set<string>();
  templates.forEach((template, i) => {
    const file = path.join(dir, `t${i}.yaml`);
    fs.writeFileSync(file, template.content);
    const stack = new Stack(app, `T${i}`, { synthesizer: new LegacyStackSynthesizer(), analyticsReporting: false });
    files.set(`T${i}`, template.path);
    const include = new CfnInclude(stack, 'T', { templateFile: file });
    const resources = (include.stack.resolve((include as unknown as { template: { Resources?: object } }).template?.Resources) ?? {}) as Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress?: { id: string; reason: string }[] } } }>;
    for (const [id, resource] of Object.entries(resources)) {
      for (const rule of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
        if (rule.reason && rule.reason.length >= 10) acknowledged.add(`T${i}|${id}|${rule.id}`);
      }
    }
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const { error, warn } = console;
  console.error = () => undefined;
  console.warn = () => undefined;
  try {
    app.synth();
  } catch {
    // a failing validation throws; the report below says what failed
  } finally {
    console.error = error;
    console.warn = warn;
  }
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.out', 'validation-report.json'), 'utf8')) as {
    pluginReports?: { pluginName: string; violations?: { ruleName: string; violatingConstructs?: { constructPath: string }[] }[] }[];
  };
  const findings: string[] = [];
  for (const plugin of report.pluginReports ?? []) {
    if (plugin.pluginName !== 'AwsSolutions') continue;
    for (const violation of plugin.violations ?? []) {
      for (const construct of violation.violatingConstructs ?? []) {
        const [stackId = '', , logicalId = ''] = construct.constructPath.split('/');
        if ([...acknowledged].some((a) => a.startsWith(`${stackId}|${logicalId}|`) && violation.ruleName.startsWith(a.split('|')[2] as string))) continue;
        findings.push(`${files.get(stackId)} ${violation.ruleName} ${logicalId}`);
      }
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return findings.sort();
}
