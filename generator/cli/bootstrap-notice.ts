import path from 'node:path';
import { bootstrapDeployCommand } from '../docs/bootstrap-command';
import type { PlatformModel } from '../model/types';

/**
 * What `generate` says when it writes an environment's bootstrap.yaml: the workflows cannot deploy
 * that stack (it holds the roles they assume), so someone with administrator rights must, with the
 * exact command: first deploy for a new file, redeploy for a changed one.
 */
export function bootstrapNotices(model: PlatformModel, outDir: string, changes: readonly { kind: string; file: string }[]): string[] {
  const slashes = (p: string) => p.split(path.sep).join('/');
  const out = slashes(outDir);
  const notices: string[] = [];
  for (const environment of model.environments) {
    const file = `${out}/${environment.name}/bootstrap.yaml`;
    const change = changes.find((c) => slashes(c.file) === file && (c.kind === 'create' || c.kind === 'update'));
    if (!change) continue;
    const what = change.kind === 'update'
      ? `${file} changed: the bootstrap stack ${environment.stackNames.bootstrap} must be redeployed by an administrator before the workflows use what changed`
      : `${file} is new: deploy the bootstrap stack ${environment.stackNames.bootstrap} once, as an administrator, before the first workflow run`;
    notices.push(`${what}:\n  ${bootstrapDeployCommand(environment, out)}\n`);
  }
  return notices;
}
