import path from 'node:path';
import type { Artifact } from '../artifact';
import yaml from 'js-yaml';
import { loadSpecText } from '../spec/load';
import type { PositionMap } from '../spec/locate';
import { locate } from '../spec/locate';
import { TEMPLATE_RULES } from './rules';
import { isRecord, type LintTemplate, type TemplateRule } from './template-rule';
import type { TemplateFinding } from './validate-templates';

/** Links to each rule's source, for `gantry lint --rules` and the README. */
export function describeRules(rules: readonly TemplateRule[] = TEMPLATE_RULES): string {
  return rules.map((r) => `${r.id}  ${r.description}\n        ${r.source}\n`).join('');
}

/**
 * Runs gantry's deploy-time rules over templates held in memory and places every match at its
 * file:line:column (through the one locator the spec's diagnostics use). A resource may skip a rule
 * for a stated reason: `Metadata.gantry.rules_to_suppress: [{ id, reason }]`, as cdk-nag's
 * acknowledgements do.
 */
export function checkTemplateRules(templates: readonly Artifact[], rules: readonly TemplateRule[] = TEMPLATE_RULES): TemplateFinding[] {
  const parsed: LintTemplate[] = [];
  const findings: TemplateFinding[] = [];
  for (const template of templates) {
    // The plain parse is several times cheaper than the one that records every node's position,
    // which only a template with a finding needs (lint runs beside AWS's validator on a shared core).
    const data = quickParse(template.content);
    if (data) {
      let positions: PositionMap | undefined;
      const located = () => {
        const loaded = loadSpecText(template.path, Buffer.from(template.content, 'utf8'));
        return loaded.ok ? loaded.spec.positions : new Map() as PositionMap;
      };
      parsed.push({ file: template.path, data, get positions() { return (positions ??= located()); }, stackName: stackNameOf(template.path, data) });
      continue;
    }
    const loaded = loadSpecText(template.path, Buffer.from(template.content, 'utf8'));
    const first = loaded.ok ? undefined : loaded.diagnostics[0];
    findings.push({
      file: template.path, severity: 'error', ruleId: 'GNT400', line: first?.position.line ?? 1, column: first?.position.column ?? 1,
      message: `gantry's rules cannot read this template: ${first?.message ?? 'its top level is not a mapping'}`,
    });
  }
  const byFile = new Map(parsed.map((t) => [t.file, t]));
  for (const rule of rules) {
    for (const match of rule.check(parsed)) {
      const template = byFile.get(match.file);
      if (!template) continue;
      const logicalId = match.path[0] === 'Resources' && typeof match.path[1] === 'string' ? match.path[1] : undefined;
      if (logicalId && suppressed(template, logicalId, rule.id)) continue;
      const position = locate(template.positions, match.path);
      findings.push({ file: match.file, severity: 'error', ruleId: rule.id, logicalId, line: position.line, column: position.column, message: match.message });
    }
  }
  return findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
}

/** A template's data, parsed as the spec loader parses it (js-yaml's default schema), or undefined when it is not a YAML mapping. */
function quickParse(content: string): Record<string, unknown> | undefined {
  try {
    const data = yaml.load(content);
    return isRecord(data) ? data : undefined;
  } catch {
    return undefined;
  }
}

function suppressed(template: LintTemplate, logicalId: string, ruleId: string): boolean {
  const resources = template.data.Resources;
  const resource = isRecord(resources) ? resources[logicalId] : undefined;
  const gantry = isRecord(resource) && isRecord(resource.Metadata) ? resource.Metadata.gantry : undefined;
  const list = isRecord(gantry) && Array.isArray(gantry.rules_to_suppress) ? gantry.rules_to_suppress : [];
  return list.some((s) => isRecord(s) && s.id === ruleId && typeof s.reason === 'string' && s.reason.trim().length > 0);
}

/**
 * A generated stack is named `<project>-<environment>-<file name>`; its resources carry the
 * Project and Environment tags. Unknown for templates that do not (a stack set's, a user's own).
 */
export function stackNameOf(file: string, data: Record<string, unknown>): string | undefined {
  const resources = isRecord(data.Resources) ? Object.values(data.Resources) : [];
  for (const resource of resources) {
    const tags = isRecord(resource) && isRecord(resource.Properties) ? resource.Properties.Tags : undefined;
    if (!Array.isArray(tags)) continue;
    const tag = (key: string) => tags.find((t) => isRecord(t) && t.Key === key && typeof t.Value === 'string')?.Value as string | undefined;
    const project = tag('Project');
    const environment = tag('Environment');
    if (project && environment) return `${project}-${environment}-${path.posix.basename(file).replace(/\.ya?ml$/, '')}`;
  }
  return undefined;
}
