import { blockSize, formatCidr, networkOf, parseCidr } from '../util/cidr';
import type { SubnetKind, SubnetModel } from './types';

/** The smallest subnet AWS allows. */
export const MIN_SUBNET_PREFIX = 28;

/** Subnets per kind when they fit: enough for the largest AZ count (6), so adding AZs never moves a subnet. */
const STABLE_SLOTS = 8;

/**
 * Carves a VPC CIDR into a public, a private and an isolated subnet per AZ, deterministically:
 * the first half of the VPC holds the private subnets (the tiers, which need the most addresses),
 * the third quarter the public ones (load balancers, NAT gateways), the last quarter the isolated
 * ones (the database). Each part is split into 8 equal slots, one per AZ, so a VPC that later
 * gains AZs keeps its existing subnets; only a VPC too small for 8 slots of /28 uses fewer.
 *
 * 10.0.0.0/16, 3 AZs: private 10.0.0.0/20, 10.0.16.0/20, 10.0.32.0/20; public 10.0.128.0/21,
 * 10.0.136.0/21, 10.0.144.0/21; isolated 10.0.192.0/21, 10.0.200.0/21, 10.0.208.0/21.
 *
 * @returns the subnets (public, then private, then isolated, each by AZ), or undefined when the
 * VPC has no room for them.
 */
export function planSubnets(vpcCidr: string, availabilityZones: number): SubnetModel[] | undefined {
  const vpc = parseCidr(vpcCidr);
  if (!vpc || availabilityZones < 1) return undefined;
  const slots = [STABLE_SLOTS, 4, 2, 1].find((n) => n >= availabilityZones && vpc.prefix + 2 + Math.log2(n) <= MIN_SUBNET_PREFIX);
  if (slots === undefined) return undefined;
  const start = networkOf(vpc);
  const size = blockSize(vpc.prefix);
  const parts: { kind: SubnetKind; offset: number; prefix: number }[] = [
    { kind: 'public', offset: size / 2, prefix: vpc.prefix + 2 + Math.log2(slots) },
    { kind: 'private', offset: 0, prefix: vpc.prefix + 1 + Math.log2(slots) },
    { kind: 'isolated', offset: (size * 3) / 4, prefix: vpc.prefix + 2 + Math.log2(slots) },
  ];
  const subnets: SubnetModel[] = [];
  for (const part of parts) {
    for (let az = 0; az < availabilityZones; az++) {
      subnets.push({ kind: part.kind, az, cidr: formatCidr(start + part.offset + az * blockSize(part.prefix), part.prefix) });
    }
  }
  return subnets;
}
