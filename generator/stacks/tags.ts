import { CfnResource, TagManager, type Stack } from 'aws-cdk-lib';

/**
 * Tags every taggable resource of the stack (blueprint and builder resources alike) with the
 * environment's tags. Written into the template, so a plain `aws cloudformation deploy` tags too.
 */
export function applyTags(stack: Stack, tags: Readonly<Record<string, string>>): void {
  for (const construct of stack.node.findAll()) {
    if (!(construct instanceof CfnResource) || !TagManager.isTaggable(construct)) continue;
    for (const [key, value] of Object.entries(tags)) construct.tags.setTag(key, value, 100, true);
  }
}

/** cdk-nag's way of recording a rule consciously not followed, with the reason a reviewer reads. */
export function acknowledge(resource: CfnResource, rules: readonly { id: string; reason: string }[]): void {
  const existing = (resource.getMetadata('cdk_nag') as { rules_to_suppress?: unknown[] } | undefined)?.rules_to_suppress ?? [];
  resource.addMetadata('cdk_nag', { rules_to_suppress: [...existing, ...rules] });
}
