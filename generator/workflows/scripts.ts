import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../paths';
import { headerLine } from '../render/yaml';

/**
 * The bash the workflows run lives in blueprints/workflows/*.sh, real files that shellcheck,
 * editors and reviewers read; gantry writes them beside the workflows, each with its header. They
 * read `gantry stacks` (the stack order, templates and lookups, unit-tested in gantry) and call
 * the AWS CLI; they hold no knowledge of the platform itself. Inputs arrive through environment
 * variables, never through `${{ }}`.
 */
export const SCRIPTS_DIR = path.join(PACKAGE_ROOT, 'blueprints', 'workflows');

/** The scripts every platform gets, in a fixed order; gantry-lib.sh is sourced by the others. */
export const SCRIPT_NAMES = [
  'gantry-lib.sh', 'gantry-plan.sh', 'gantry-cleanup.sh', 'gantry-deploy.sh', 'gantry-release.sh', 'gantry-drift.sh', 'gantry-notify.sh',
] as const;

/**
 * Scripts only some platforms get: gantry-failover.sh where an environment has a standby region,
 * gantry-origin-secret.sh where one has an API behind CloudFront.
 */
export const OPTIONAL_SCRIPT_NAMES = ['gantry-failover.sh', 'gantry-origin-secret.sh'] as const;

export type ScriptName = (typeof SCRIPT_NAMES)[number] | (typeof OPTIONAL_SCRIPT_NAMES)[number];

/** The script files, by name, each with gantry's header: every standard one, then the optional ones asked for. */
export function scriptFiles(specFile: string, optional: readonly (typeof OPTIONAL_SCRIPT_NAMES)[number][] = []): { path: string; content: string }[] {
  return [...SCRIPT_NAMES, ...optional].map((name) => ({ path: name, content: `${headerLine(specFile)}\n${fs.readFileSync(path.join(SCRIPTS_DIR, name), 'utf8')}` }));
}

/** How a workflow step runs one of the scripts. */
export function runScript(name: Exclude<ScriptName, 'gantry-lib.sh'>): string {
  return `bash "$GANTRY_WORKFLOWS/${name}"`;
}
