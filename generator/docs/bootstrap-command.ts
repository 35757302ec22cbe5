import type { EnvironmentModel } from '../model/types';

/**
 * The command that deploys an environment's bootstrap stack (its OIDC provider and roles): by hand,
 * with administrator rights, in the environment's first region, as the workflows expect it there.
 * CAPABILITY_NAMED_IAM because the roles have fixed names.
 */
export function bootstrapDeployCommand(environment: EnvironmentModel, outDir: string): string {
  return `aws cloudformation deploy --region ${environment.regions[0]?.region} --stack-name ${environment.stackNames.bootstrap} ` +
    `--template-file ${outDir}/${environment.name}/bootstrap.yaml --capabilities CAPABILITY_NAMED_IAM`;
}
