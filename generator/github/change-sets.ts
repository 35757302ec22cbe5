import fs from 'node:fs';
import path from 'node:path';

/** One resource change of a CloudFormation change set, as `describe-change-set` writes it. */
export interface ResourceChange {
  readonly action: string;
  readonly logicalId: string;
  readonly resourceType: string;
  /** "True", "False" or "Conditional" for modifications. */
  readonly replacement?: string;
}

/** The plan of one stack in one environment and region. */
export interface StackPlan {
  readonly environment: string;
  readonly region: string;
  readonly stack: string;
  /** delete: a stack of the environment that the spec no longer has; the deploy deletes it (`changes` are its resources). */
  readonly status: 'changes' | 'no-changes' | 'waiting' | 'failed' | 'delete';
  readonly reason?: string;
  readonly changes: readonly ResourceChange[];
  /** Created with deletion protection off, which the deploy turns on right after (gantry-lib.sh deploy_stack). */
  readonly protectedOnceCreated?: boolean;
  /** To be deleted with deletion protection on: the deploy turns it off first (gantry-deploy.sh delete_stack). */
  readonly unprotect?: boolean;
}

interface DescribeChangeSet {
  StackName?: string;
  Status?: string;
  StatusReason?: string;
  ProtectedOnceCreated?: boolean;
  Unprotect?: boolean;
  Resources?: { LogicalResourceId?: string; ResourceType?: string }[];
  Changes?: { Type?: string; ResourceChange?: { Action?: string; LogicalResourceId?: string; ResourceType?: string; Replacement?: string } }[];
}

/**
 * Reads `<dir>/<environment>/<region>/<stack>.json` as the pull-request workflow writes them:
 * `describe-change-set` output, `{ Status: NO_CHANGES | WAITING | FAILED, StatusReason }`, or
 * `{ Status: DELETE, Resources, Unprotect }` for a stack the spec no longer has.
 * Files that are not JSON objects are reported as failed plans rather than crashing the comment.
 */
export function readChangeSets(dir: string): StackPlan[] {
  const plans: StackPlan[] = [];
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.json')) plans.push(toPlan(dir, file));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return plans;
}

function toPlan(root: string, file: string): StackPlan {
  const [environment = '?', region = '?'] = path.relative(root, file).split(path.sep);
  const stackFromFile = path.basename(file, '.json');
  let data: DescribeChangeSet;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8')) as DescribeChangeSet;
  } catch {
    return { environment, region, stack: stackFromFile, status: 'failed', reason: 'the change set description is not valid JSON', changes: [] };
  }
  const stack = data.StackName ?? stackFromFile;
  if (data.Status === 'NO_CHANGES') return { environment, region, stack, status: 'no-changes', changes: [] };
  if (data.Status === 'WAITING') return { environment, region, stack, status: 'waiting', reason: data.StatusReason, changes: [] };
  if (data.Status === 'FAILED') return { environment, region, stack, status: 'failed', reason: data.StatusReason, changes: [] };
  if (data.Status === 'DELETE') {
    const resources = (Array.isArray(data.Resources) ? data.Resources : [])
      .map((r) => ({ action: 'Remove', logicalId: r.LogicalResourceId ?? '?', resourceType: r.ResourceType ?? '?' }));
    return { environment, region, stack, status: 'delete', changes: resources, ...(data.Unprotect === true ? { unprotect: true } : {}) };
  }
  const changes = (data.Changes ?? [])
    .filter((c) => c.Type === 'Resource' && c.ResourceChange)
    .map((c) => ({
      action: c.ResourceChange?.Action ?? '?',
      logicalId: c.ResourceChange?.LogicalResourceId ?? '?',
      resourceType: c.ResourceChange?.ResourceType ?? '?',
      replacement: c.ResourceChange?.Replacement,
    }));
  return { environment, region, stack, status: changes.length > 0 ? 'changes' : 'no-changes', changes, ...(data.ProtectedOnceCreated === true ? { protectedOnceCreated: true } : {}) };
}

/** Whether an environment's bootstrap stack is what gantry generated, as the plan job found it. */
export interface BootstrapState {
  readonly environment: string;
  readonly stack: string;
  readonly region: string;
  /** current: deployed as generated; outdated: must be redeployed; missing: never deployed; unknown: could not be read. */
  readonly state: 'current' | 'outdated' | 'missing' | 'unknown';
  /** The command that (re)deploys it. */
  readonly command: string;
}

/** Reads `<dir>/<environment>/bootstrap.state` as the plan job writes them; unreadable files are skipped. */
export function readBootstrapStates(dir: string): BootstrapState[] {
  if (!fs.existsSync(dir)) return [];
  const states: BootstrapState[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const file = path.join(dir, entry.name, 'bootstrap.state');
    if (!entry.isDirectory() || !fs.existsSync(file)) continue;
    try {
      const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<BootstrapState>;
      if (typeof data.stack === 'string' && typeof data.command === 'string' && ['current', 'outdated', 'missing', 'unknown'].includes(data.state as string)) {
        states.push({ environment: data.environment ?? entry.name, stack: data.stack, region: data.region ?? '?', state: data.state as BootstrapState['state'], command: data.command });
      }
    } catch {
      // A broken file says nothing about the bootstrap; the plan job's log does.
    }
  }
  return states;
}
