import type { Artifact } from './artifact';
import { buildReadme } from './docs/readme';
import type { PlatformModel } from './model/types';
import { buildTemplates } from './stacks/registry';

/** Everything gantry writes to the output folder: the templates and the README that explains them. */
export function buildOutputFiles(model: PlatformModel, outDir: string): Artifact[] {
  return [...buildTemplates(model), { path: 'README.md', content: buildReadme(model, outDir) }];
}
