/**
 * The HostedZoneId parameter (edge stack, and tiers with a certificate for the edge's domain) is a
 * String with a zone id's pattern, not `AWS::Route53::HostedZone::Id`: CloudFormation checks an
 * AWS-specific parameter type against the account's resources with the caller's permissions, and
 * the plan and deploy roles may only call route53:ListHostedZonesByName (the workflows look the id
 * up by name, so it exists). A zone id is "Z" and up to 31 upper-case letters and digits.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-supplied-parameter-types.html
 * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_HostedZone.html
 */
export const HOSTED_ZONE_ID_PARAMETER = {
  type: 'String',
  allowedPattern: '^Z[A-Z0-9]{1,31}$',
  constraintDescription: 'a Route 53 hosted zone id: Z followed by up to 31 upper-case letters and digits, without /hostedzone/',
} as const;
