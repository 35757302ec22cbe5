/**
 * AWS commercial regions and how many availability zones each offers to a new account.
 *
 * Where a region has an AZ that new accounts cannot use (us-west-1, ap-northeast-1), the count is
 * what a new account gets, since that is what a generated stack can rely on.
 * @see https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html
 * @see https://aws.amazon.com/about-aws/global-infrastructure/regions_az/
 */
export const REGION_AVAILABILITY_ZONES: Readonly<Record<string, number>> = {
  'af-south-1': 3,
  'ap-east-1': 3,
  'ap-east-2': 3,
  'ap-northeast-1': 3,
  'ap-northeast-2': 4,
  'ap-northeast-3': 3,
  'ap-south-1': 3,
  'ap-south-2': 3,
  'ap-southeast-1': 3,
  'ap-southeast-2': 3,
  'ap-southeast-3': 3,
  'ap-southeast-4': 3,
  'ap-southeast-5': 3,
  'ap-southeast-6': 3,
  'ap-southeast-7': 3,
  'ca-central-1': 3,
  'ca-west-1': 3,
  'eu-central-1': 3,
  'eu-central-2': 3,
  'eu-north-1': 3,
  'eu-south-1': 3,
  'eu-south-2': 3,
  'eu-west-1': 3,
  'eu-west-2': 3,
  'eu-west-3': 3,
  'il-central-1': 3,
  'me-central-1': 3,
  'me-south-1': 3,
  'mx-central-1': 3,
  'sa-east-1': 3,
  // Six zones, but use1-az3 is constrained (no current-generation instance types): gantry places
  // subnets by zone id in the other five (KNOWN_GOOD_ZONE_IDS).
  'us-east-1': 5,
  'us-east-2': 3,
  'us-west-1': 2,
  'us-west-2': 4,
};

/**
 * Regions where picking zones by index is not safe, with the zone ids gantry uses instead, in
 * order. AZ names (us-east-1a) map to different physical zones in each account, AZ ids (use1-az1)
 * do not; in us-east-1, Fn::GetAZs may return use1-az3, which cannot launch Nitro (current
 * generation) instance types, so an Auto Scaling group spanning it never fills that zone.
 * Elsewhere Fn::GetAZs lists only the zones open to the account, and an index is fine.
 * @see https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-subnet.html (AvailabilityZoneId)
 */
export const KNOWN_GOOD_ZONE_IDS: Readonly<Record<string, readonly string[]>> = {
  'us-east-1': ['use1-az1', 'use1-az2', 'use1-az4', 'use1-az5', 'use1-az6'],
};

/**
 * Zone ids gantry never places subnets in: use1-az3 cannot launch current (Nitro) instance types.
 * A stack set's rollout looks each region's zone ids up without them (export/lookup-script.ts).
 */
export const CONSTRAINED_ZONE_IDS: readonly string[] = ['use1-az3'];

export const REGIONS: readonly string[] = Object.keys(REGION_AVAILABILITY_ZONES);

/** The partition of regions gantry does not deploy to (their ARNs, endpoints and OIDC audiences differ). */
export function unsupportedPartition(region: string): string | undefined {
  if (region.startsWith('us-gov-')) return 'AWS GovCloud (aws-us-gov)';
  if (region.startsWith('cn-')) return 'AWS China (aws-cn)';
  if (region.startsWith('eusc-')) return 'AWS European Sovereign Cloud (aws-eusc)';
  if (region.startsWith('us-iso')) return 'AWS secret regions (aws-iso)';
  return undefined;
}

/** CloudFront certificates and CLOUDFRONT-scope WAF web ACLs exist only here. */
export const EDGE_REGION = 'us-east-1';
