import { error, type Finding } from '../finding';
import type { Rule } from '../rule';

/**
 * Calls between tiers form no cycle: a caller's stack imports the callee's caller security group,
 * so every callee deploys before its callers, which a cycle makes impossible.
 */
export const callCyclesRule: Rule = ({ environments }) => {
  const findings: Finding[] = [];
  for (const environment of environments) {
    const tiers = environment.spec.tiers;
    const names = new Set(tiers.map((t) => t.name));
    // caller -> callees: a tier calls every tier whose `from` lists it.
    const calls = new Map(tiers.map((t) => [t.name, tiers.filter((callee) => Array.isArray(callee.from) && callee.from.includes(t.name) && callee.name !== t.name).map((c) => c.name)]));
    const reported = new Set<string>();
    for (const start of names) {
      const cycle = findCycle(start, calls);
      if (!cycle) continue;
      const key = [...cycle].sort().join(',');
      if (reported.has(key)) continue;
      reported.add(key);
      // Report on the `from` entry that closes the cycle: the first tier's callee lists the last caller.
      const callee = cycle[1] as string;
      const caller = cycle[0] as string;
      const index = tiers.find((t) => t.name === callee)?.from.indexOf(caller) ?? 0;
      findings.push(error('GNT229', ['tiers', callee, 'from', index],
        `tiers call each other in a cycle (${[...cycle, cycle[0]].join(' → ')}); each caller deploys after the tier it calls, so calls cannot go round`,
        'keep calls in one direction, e.g. through a queue for the way back', environment.name));
    }
  }
  return findings;
};

/** A cycle of calls through `start`, as the tiers in call order, or undefined. */
function findCycle(start: string, calls: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const path: string[] = [];
  const visit = (tier: string): string[] | undefined => {
    if (tier === start && path.length > 0) return [...path];
    if (path.includes(tier)) return undefined;
    path.push(tier);
    for (const callee of calls.get(tier) ?? []) {
      const found = visit(callee);
      if (found) return found;
    }
    path.pop();
    return undefined;
  };
  return visit(start);
}
