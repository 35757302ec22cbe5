import { isPlainObject } from '../../spec/path';
import { didYouMean } from '../../util/suggest';
import { error, type Finding } from '../finding';
import type { Rule } from '../rule';

/**
 * An environment overrides tiers that exist: a new tier cannot be born in an override (every
 * environment runs the same tiers, with different settings).
 */
export const overridesRule: Rule = ({ document }) => {
  const findings: Finding[] = [];
  const environments = document.environments;
  const tiers = isPlainObject(document.tiers) ? Object.keys(document.tiers) : [];
  if (!isPlainObject(environments)) return findings;
  for (const [name, environment] of Object.entries(environments)) {
    const overrides = isPlainObject(environment) ? environment.overrides : undefined;
    const overridden = isPlainObject(overrides) ? overrides.tiers : undefined;
    if (!isPlainObject(overridden)) continue;
    for (const tier of Object.keys(overridden)) {
      if (tiers.includes(tier)) continue;
      findings.push(error('GNT226', ['environments', name, 'overrides', 'tiers', tier], `tier "${tier}" does not exist at the top level`,
        didYouMean(tier, tiers) ?? 'define the tier under tiers first; overrides only change existing tiers'));
    }
  }
  return findings;
};
