import { CfnParameter, type IResolvable, type Stack } from 'aws-cdk-lib';
// The parameter's name, which the deploy plan looks up (lookup 'deletion-protection').
import { DELETION_PROTECTION_PARAMETER } from './plan';

/**
 * Deletion protection of a stack's load balancer or DB instances, as a parameter: the deploy
 * workflow passes 'false' to the change set that creates the stack and 'true' to every later one,
 * and runs that update itself right after a successful create. A resource created protected could
 * not be deleted by the rollback of a failed first create (a later resource of the same stack
 * failing, such as the Auto Scaling group's signals): the stack would end ROLLBACK_FAILED, which
 * only a person can clear (aws-cloudformation/rain#187). Defaults to 'true' for a deploy by hand.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stack-failure-options.html
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#deletion-protection
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeleteInstance.DeletionProtection
 */
export function deletionProtection(stack: Stack): { readonly text: string; readonly value: IResolvable } {
  const parameter = (stack.node.tryFindChild(DELETION_PROTECTION_PARAMETER) as CfnParameter | undefined) ?? new CfnParameter(stack, DELETION_PROTECTION_PARAMETER, {
    type: 'String',
    allowedValues: ['true', 'false'],
    default: 'true',
    description: 'Deletion protection: the deploy workflow passes false while it creates the stack (so a failed create can roll back) and true from the first successful deploy on',
  });
  parameter.overrideLogicalId(DELETION_PROTECTION_PARAMETER);
  return { text: parameter.valueAsString, value: parameter.value };
}
