import type { PlatformModel } from './types';

/** The model as stable, readable JSON: the golden form reviewed in pull requests. */
export function goldenModelJson(model: PlatformModel): string {
  return `${JSON.stringify(model, null, 2)}\n`;
}
