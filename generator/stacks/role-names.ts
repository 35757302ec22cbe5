/**
 * The bootstrap roles have fixed names, so a workflow knows their ARNs from the spec's account alone
 * (and `gantry stacks` its execution role's without loading aws-cdk-lib).
 * IAM role names are at most 64 characters: project (30) + environment (20) + suffix (10) fit.
 */
export function bootstrapRoleNames(project: string, environment: string) {
  const prefix = `${project}-${environment}`;
  return { deploy: `${prefix}-gh-deploy`, changeSets: `${prefix}-gh-plan`, drift: `${prefix}-gh-drift`, execution: `${prefix}-cfn-exec`, failover: `${prefix}-gh-failover` };
}

