import { isRecord, resourceRule } from '../template-rule';

/**
 * KMS checks every principal of a key policy when the key is created: one that does not exist yet
 * fails the create ("MalformedPolicyDocumentException: Policy contains a statement with one or
 * more invalid principals"). Service-linked roles exist only once their service first needs them
 * (AWSServiceRoleForAutoScaling: when the account's first Auto Scaling group is created), so a
 * key policy naming one fails on a fresh account.
 * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/autoscaling-service-linked-role.html
 */
export const keyPolicyFuturePrincipalRule = resourceRule({
  id: 'GNT402',
  description: 'A KMS key policy names no service-linked role (it may not exist yet on a fresh account)',
  source: 'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html',
  types: 'AWS::KMS::Key',
  *check({ id, properties }) {
    const policy = properties.KeyPolicy;
    const statements = isRecord(policy) ? policy.Statement : undefined;
    for (const [i, statement] of (Array.isArray(statements) ? statements : []).entries()) {
      if (!isRecord(statement) || !isRecord(statement.Principal)) continue;
      const aws = statement.Principal.AWS;
      for (const [j, principal] of (Array.isArray(aws) ? aws : [aws]).entries()) {
        const text = principalText(principal);
        if (!text || !text.includes(':role/aws-service-role/')) continue;
        const name = text.split('/').pop();
        yield {
          path: ['Properties', 'KeyPolicy', 'Statement', i, 'Principal', 'AWS', ...(Array.isArray(aws) ? [j] : [])],
          message: `${id}'s key policy names the service-linked role ${name}, which exists only after its service first created it; on a fresh account the key fails with "invalid principals" (grant the service through kms:ViaService or the account, or create the role first)`,
        };
      }
    }
  },
});

function principalText(principal: unknown): string | undefined {
  if (typeof principal === 'string') return principal;
  if (isRecord(principal) && 'Fn::Sub' in principal) {
    const sub = principal['Fn::Sub'];
    const text = Array.isArray(sub) ? sub[0] : sub;
    return typeof text === 'string' ? text : undefined;
  }
  if (isRecord(principal) && Array.isArray(principal['Fn::Join'])) {
    const parts = principal['Fn::Join'][1];
    return Array.isArray(parts) ? parts.filter((p) => typeof p === 'string').join('') : undefined;
  }
  return undefined;
}
