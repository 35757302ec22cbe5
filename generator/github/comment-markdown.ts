import { markdownCode, markdownInline as text } from '../render/markdown';
import type { ResourceChange, StackPlan } from './change-sets';

/** The hidden marker that finds gantry's one comment among a pull request's comments. */
export const COMMENT_MARKER = '<!-- gantry:change-sets -->';

/** True for the changes a reviewer must not miss: resources recreated or deleted. */
export function isDestructive(change: ResourceChange): boolean {
  return change.action === 'Remove' || change.replacement === 'True' || change.replacement === 'Conditional';
}

function describeChange(change: ResourceChange): string {
  if (change.action === 'Remove') return '**Remove**';
  if (change.replacement === 'True') return '**Replace**';
  if (change.replacement === 'Conditional') return '**May replace**';
  return change.action;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The pull request comment (and job summary): a summary line, replacements and removals first and
 * loudly, then per environment, region and stack what changes, or "no changes".
 */
export function renderChangeSetComment(plans: readonly StackPlan[]): string {
  const destructive = plans.flatMap((plan) => plan.changes.filter(isDestructive).map((change) => ({ plan, change })));
  const changed = plans.filter((p) => p.status === 'changes').length;
  const failed = plans.filter((p) => p.status === 'failed').length;
  const waiting = plans.filter((p) => p.status === 'waiting').length;
  const lines = [COMMENT_MARKER, '## gantry: what this pull request changes', ''];
  if (plans.length === 0) {
    lines.push('No change sets were produced: the plan jobs did not run, or failed before their first stack. See the workflow run.');
    return `${lines.join('\n')}\n`;
  }
  const counts = [plural(plans.length, 'stack'), `${changed} with changes`, `${plans.length - changed - failed - waiting} unchanged`];
  if (waiting > 0) counts.push(`${waiting} waiting for a first deploy`);
  if (failed > 0) counts.push(`**${failed} failed**`);
  lines.push(`${destructive.length > 0 ? `**${plural(destructive.length, 'resource')} replaced or removed** · ` : ''}${counts.join(', ')}`, '');
  if (destructive.length > 0) {
    lines.push('> [!WARNING]', '> These resources would be recreated or deleted; data they hold may be lost.');
    for (const { plan, change } of destructive) {
      lines.push(`> - ${describeChange(change)} ${markdownCode(change.logicalId)} (${text(change.resourceType)}) in ${text(plan.stack)}, ${text(plan.environment)} ${text(plan.region)}`);
    }
    lines.push('');
  }
  const groups = new Map<string, StackPlan[]>();
  for (const plan of plans) {
    const key = `${text(plan.environment)} · ${text(plan.region)}`;
    groups.set(key, [...(groups.get(key) ?? []), plan]);
  }
  for (const [group, stacks] of groups) {
    lines.push(`### ${group}`, '');
    for (const plan of stacks) {
      if (plan.status === 'no-changes') lines.push(`- **${text(plan.stack)}**: no changes`);
      else if (plan.status === 'waiting') lines.push(`- **${text(plan.stack)}**: planned after the stacks it imports from are deployed (${text(plan.reason ?? 'an export is missing')})`);
      else if (plan.status === 'failed') lines.push(`- **${text(plan.stack)}**: :x: the change set failed: ${text(plan.reason ?? 'see the workflow run')}`);
      else {
        lines.push(`- **${text(plan.stack)}**: ${plural(plan.changes.length, 'change')}`, '', '  | Action | Logical id | Type |', '  |---|---|---|');
        for (const change of plan.changes) lines.push(`  | ${describeChange(change)} | ${markdownCode(change.logicalId)} | ${text(change.resourceType)} |`);
        lines.push('');
      }
    }
    lines.push('');
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
