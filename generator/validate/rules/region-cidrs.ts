import { nextFreeBlock, overlaps, parseCidr, type Cidr } from '../../util/cidr';
import { error, type Finding } from '../finding';
import { regionCidr, type Rule } from '../rule';

/**
 * The regions of one environment never overlap: they may be peered or joined by a transit
 * gateway later, and overlapping VPCs cannot be routed to each other.
 */
export const regionCidrsRule: Rule = ({ environments }) => {
  const findings: Finding[] = [];
  for (const environment of environments) {
    const seen: { region: string; cidr: Cidr; text: string }[] = [];
    for (const region of environment.regions) {
      const { cidr: text } = regionCidr(environment, region);
      const cidr = typeof text === 'string' ? parseCidr(text) : undefined;
      if (!cidr || !region.name || seen.some((s) => s.region === region.name)) continue; // duplicates: the regions rule
      const clash = seen.find((s) => overlaps(s.cidr, cidr));
      if (clash) {
        const free = nextFreeBlock(cidr, seen.map((s) => s.cidr));
        findings.push(error('GNT206', region.path,
          `${region.name} uses ${text}, which overlaps ${clash.region} (${clash.text}); the regions of one environment need their own CIDRs`,
          free ? `give it its own: { name: ${region.name}, cidr: ${free} }` : undefined));
      }
      seen.push({ region: region.name, cidr, text: String(text) });
    }
  }
  return findings;
};
