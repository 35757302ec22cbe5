import { EDGE_REGION } from '../aws/regions';
import type { EnvironmentModel } from '../model/types';

// The secret origin header: what CloudFront sends to the API's load balancers and what their
// listeners require, so a request that skipped the environment's distribution (and its web ACL)
// never reaches the instances, even from another CloudFront distribution, which the origin-facing
// prefix list alone lets through.
// @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/restrict-access-to-load-balancer.html
//
// Where it lives: the bootstrap stack creates it, in the bootstrap's region with a replica in every
// other region of the environment and in us-east-1 (the edge's). The bootstrap deploys before every
// other stack by definition, and a secretsmanager dynamic reference resolves in the stack's own
// region, so each tier stack and the edge stack read their region's copy by name. The bootstrap
// already changes (and gantry prints its command) whenever the environment's regions change, so the
// replica list follows without a new step; no workflow can delete or replace the secret.
// @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html

/** The header CloudFront adds to every request to the API origin (AWS's own examples name it so). */
export const ORIGIN_HEADER = 'X-Origin-Verify';

/**
 * The parameter of the tier and edge stacks holding the secret's AWSCURRENT version id, which the
 * deploy looks up. Not named "secret": it holds no secret (cfn-lint's W2509 would ask for NoEcho,
 * which would hide the id gantry-origin-secret.sh compares).
 */
export const CURRENT_VERSION_PARAMETER = 'OriginHeaderVersion';
/** The parameter of the origin tier's stack holding the AWSPREVIOUS version id (AWSCURRENT's when there is none). */
export const PREVIOUS_VERSION_PARAMETER = 'OriginHeaderPreviousVersion';

/**
 * The secret's name (the same in every region: a replica keeps its primary's name), when the
 * environment has an API origin behind CloudFront (the model names it: edge.originSecret).
 */
export function originSecretOf(environment: EnvironmentModel): string | undefined {
  return environment.edge?.originTier !== undefined ? environment.edge.originSecret : undefined;
}

/**
 * Where the secret lives: its primary in the bootstrap's region (the environment's first), and a
 * replica in each other region that reads it (the environment's regions and us-east-1).
 */
export function originSecretRegions(environment: EnvironmentModel): { primary: string; replicas: string[] } {
  const regions = environment.regions.map((r) => r.region);
  const primary = regions[0] ?? EDGE_REGION;
  return { primary, replicas: [...new Set([...regions, EDGE_REGION])].filter((r) => r !== primary) };
}

/**
 * The pieces of a dynamic reference to one version of the secret, for Fn::Join with the version
 * id (a parameter): `{{resolve:secretsmanager:NAME:SecretString:::VERSION-ID}}`. CloudFormation
 * re-reads a secret only when the reference itself changes, so the reference names the version:
 * a rotated secret reaches the stacks through a new parameter value on their next deploy.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/cfn-example_reference-secret.html
 *   ("You can use a dynamic reference for a secret in any resource property"; version-id segment)
 * @see https://repost.aws/knowledge-center/cloudformation-stack-update-secrets
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-secretsmanager-secrettargetattachment.html
 *   (AWS's example builds the reference with Fn::Join and a Ref)
 */
export function secretReferenceParts(secretName: string): [string, string] {
  return [`{{resolve:secretsmanager:${secretName}:SecretString:::`, '}}'];
}
