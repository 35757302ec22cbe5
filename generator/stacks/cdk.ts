import path from 'node:path';
import { App, LegacyStackSynthesizer, Stack } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { PACKAGE_ROOT } from '../paths';

export const BLUEPRINTS_DIR = path.join(PACKAGE_ROOT, 'blueprints');

/**
 * A CDK stack that renders to a plain template: no CDKMetadata, no path metadata, no bootstrap
 * version rule or asset parameters (the legacy synthesizer), and no synth-time validation, which
 * would cost over a second per run (`gantry lint` validates instead).
 */
export function newTemplateStack(): Stack {
  const app = new App({
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:enable-path-metadata': false, 'aws:cdk:disable-version-reporting': true },
  });
  return new Stack(app, 'Template', { synthesizer: new LegacyStackSynthesizer(), analyticsReporting: false });
}

/** Includes `blueprints/<name>.yaml` with its logical ids preserved. */
export function includeBlueprint(stack: Stack, name: string): CfnInclude {
  return new CfnInclude(stack, 'Blueprint', { templateFile: path.join(BLUEPRINTS_DIR, `${name}.yaml`), preserveLogicalIds: true });
}

/**
 * The stack's template as a plain object.
 * NOTE: `_toCloudFormation` is the resolution step `app.synth()` runs per stack, without writing
 * a cloud assembly to disk; it has been stable across aws-cdk-lib v2.
 */
export function templateOf(stack: Stack): Record<string, unknown> {
  const template = (stack as unknown as { _toCloudFormation(): Record<string, unknown> })._toCloudFormation();
  const text = JSON.stringify(template);
  const token = /\$\{Token\[[^\]]*\]\}/.exec(text);
  if (token) throw new Error(`gantry bug: an unresolved CDK token ${token[0]} remains in a template`);
  return template;
}
