import { markdownCode, markdownInline as text } from '../render/markdown';
import type { BootstrapState, ResourceChange, StackPlan } from './change-sets';

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

/** Where a comment's change sets come from: the commit they describe and the run that made them. */
export interface CommentContext {
  /** The pull request's head commit. */
  readonly commit?: string;
  /** The workflow run's page. */
  readonly runUrl?: string;
  /** What the plan jobs found about each environment's bootstrap stack. */
  readonly bootstrap?: readonly BootstrapState[];
}

/** The line under the title: which commit, which run. */
function provenance(context: CommentContext): string[] {
  const parts: string[] = [];
  if (context.commit) parts.push(`Commit ${markdownCode(context.commit.slice(0, 12))}`);
  // The run's address comes from GitHub's environment; anything that could break out of the link is left out.
  if (context.runUrl && /^https:\/\/[^\s()<>[\]]+$/.test(context.runUrl)) parts.push(`[workflow run](${context.runUrl})`);
  return parts.length > 0 ? [`${parts.join(' · ')}`, ''] : [];
}

/** A bootstrap stack is deployed by hand: say loudly which must be (re)deployed before the merge deploys. */
function bootstrapNotes(states: readonly BootstrapState[]): string[] {
  const stale = states.filter((s) => s.state !== 'current');
  if (stale.length === 0) return [];
  const why: Record<BootstrapState['state'], string> = {
    current: '',
    outdated: 'differs from the generated bootstrap.yaml: redeploy it before merging, or the deploy runs with the old roles',
    missing: 'is not deployed: deploy it before merging',
    unknown: 'could not be compared (see the plan job\'s log)',
  };
  const lines = ['> [!IMPORTANT]', '> The bootstrap stack is deployed by hand (with an administrator\'s credentials), never by the workflows:'];
  for (const state of stale) {
    lines.push(`> - **${text(state.stack)}** (${text(state.environment)}, ${text(state.region)}) ${why[state.state]}:`, `>   ${markdownCode(state.command)}`);
  }
  return [...lines, ''];
}

/**
 * The pull request comment (and job summary): the commit and run it describes, a summary line,
 * bootstrap stacks to redeploy, stacks to delete, replacements and removals first and loudly, then per
 * environment, region and stack what changes, or "no changes".
 */
export function renderChangeSetComment(plans: readonly StackPlan[], context: CommentContext = {}): string {
  const deleted = plans.filter((p) => p.status === 'delete');
  const destructive = plans.filter((p) => p.status !== 'delete').flatMap((plan) => plan.changes.filter(isDestructive).map((change) => ({ plan, change })));
  const changed = plans.filter((p) => p.status === 'changes').length;
  const failed = plans.filter((p) => p.status === 'failed').length;
  const waiting = plans.filter((p) => p.status === 'waiting').length;
  const lines = [COMMENT_MARKER, '## gantry: what this pull request changes', '', ...provenance(context), ...bootstrapNotes(context.bootstrap ?? [])];
  if (plans.length === 0) {
    lines.push('No change sets were produced: the plan jobs did not run, or failed before their first stack. See the workflow run.');
    return `${lines.join('\n')}\n`;
  }
  const counts = [plural(plans.length - deleted.length, 'stack'), `${changed} with changes`, `${plans.length - deleted.length - changed - failed - waiting} unchanged`];
  if (waiting > 0) counts.push(`${waiting} waiting for a first deploy`);
  if (failed > 0) counts.push(`**${failed} failed**`);
  const loud = [
    ...(deleted.length > 0 ? [`**${plural(deleted.length, 'stack')} deleted**`] : []),
    ...(destructive.length > 0 ? [`**${plural(destructive.length, 'resource')} replaced or removed**`] : []),
  ];
  lines.push([...loud, counts.join(', ')].join(' · '), '');
  if (deleted.length > 0) {
    lines.push('> [!CAUTION]', '> The spec no longer has these stacks: once the deploy is approved, it deletes them with every resource they hold, except what their templates retain (DeletionPolicy), after it has updated the stacks that used them.');
    for (const plan of deleted) {
      const protection = plan.unprotect ? '; deletion protection is turned off first' : '';
      lines.push(`> - **Delete** ${text(plan.stack)} (${plural(plan.changes.length, 'resource')}), ${text(plan.environment)} ${text(plan.region)}${protection}`);
    }
    lines.push('');
  }
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
      else if (plan.status === 'delete') {
        lines.push(`- **${text(plan.stack)}**: **deleted** (no longer in the spec), with ${plural(plan.changes.length, 'resource')}`, '', '  | Logical id | Type |', '  |---|---|');
        for (const change of plan.changes) lines.push(`  | ${markdownCode(change.logicalId)} | ${text(change.resourceType)} |`);
        lines.push('');
      }
      else if (plan.status === 'waiting') lines.push(`- **${text(plan.stack)}**: planned after the stacks it imports from are deployed (${text(plan.reason ?? 'an export is missing')})`);
      else if (plan.status === 'failed') lines.push(`- **${text(plan.stack)}**: :x: the change set failed: ${text(plan.reason ?? 'see the workflow run')}`);
      else {
        const protection = plan.protectedOnceCreated ? '; created without deletion protection, which the deploy turns on as soon as the stack exists (so a failed creation can roll back)' : '';
        lines.push(`- **${text(plan.stack)}**: ${plural(plan.changes.length, 'change')}${protection}`, '', '  | Action | Logical id | Type |', '  |---|---|---|');
        for (const change of plan.changes) lines.push(`  | ${describeChange(change)} | ${markdownCode(change.logicalId)} | ${text(change.resourceType)} |`);
        lines.push('');
      }
    }
    lines.push('');
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
