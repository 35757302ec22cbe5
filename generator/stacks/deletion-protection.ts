import type { IResolvable, Stack } from 'aws-cdk-lib';
import { lookedUpParameter } from './cdk';
import type { ParameterLookup } from './kinds';

/**
 * Deletion protection of a stack's load balancer or DB instances, as a parameter: the deploy
 * workflow passes 'false' to the change set that creates the stack and 'true' to every later one,
 * and runs that update itself right after a successful create. A resource created protected could
 * not be deleted by the rollback of a failed first create (a later resource of the same stack
 * failing, such as the Auto Scaling group's signals): the stack would end ROLLBACK_FAILED, which
 * only a person can clear (aws-cloudformation/rain#187). Defaults to 'true' for a deploy by hand
 * (and for stack sets, whose instances StackSets creates).
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stack-failure-options.html
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#deletion-protection
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeleteInstance.DeletionProtection
 */
export function deletionProtection(stack: Stack, lookups: readonly ParameterLookup[]): { readonly text: string; readonly value: IResolvable } {
  // Declared as kinds.ts says (LOOKED_UP_PARAMETERS.DeletionProtection; a String 'true' or 'false', default 'true').
  const parameter = lookedUpParameter(stack, lookups, 'DeletionProtection');
  return { text: parameter.valueAsString, value: parameter.value };
}
