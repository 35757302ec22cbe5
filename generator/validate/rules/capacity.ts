import { error, type Finding } from '../finding';
import { isNumber, type Rule } from '../rule';

/**
 * Group sizes that an Auto Scaling group and a rolling update accept: min >= 1,
 * min <= desired <= max, and a deploy that can replace at least one instance at a time.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html
 */
export const capacityRule: Rule = ({ environments }) => {
  const findings: Finding[] = [];
  for (const environment of environments) {
    for (const tier of environment.spec.tiers) {
      const { min, max, desired } = tier.capacity;
      const at = (...rest: string[]) => ['tiers', tier.name, ...rest];
      const report = (path: string[], message: string, hint?: string, related: string[][] = []) =>
        findings.push(error('GNT201', path, message, hint, environment.name, related));
      if (isNumber(min) && min < 1) {
        report(at('capacity', 'min'), `must be at least 1 (found ${min})`, 'a tier always runs; to stop one, remove it from the spec');
      }
      if (isNumber(min) && isNumber(max) && min > max) {
        report(at('capacity', 'min'), `must be <= capacity.max (${max})`, undefined, [at('capacity', 'max')]);
      }
      // desired defaults to min: when it equals min, the min findings already say everything.
      if (isNumber(desired) && isNumber(min) && desired < min) {
        report(at('capacity', 'desired'), `must be >= capacity.min (${min})`, undefined, [at('capacity', 'min')]);
      }
      if (isNumber(desired) && isNumber(max) && desired > max && desired !== min) {
        report(at('capacity', 'desired'), `must be <= capacity.max (${max})`, undefined, [at('capacity', 'max')]);
      }
      const { minInService, batchSize } = tier.deploy;
      if (isNumber(minInService) && isNumber(max) && minInService >= max) {
        report(at('deploy', 'minInService'), `must be below capacity.max (${max}), or a rolling update can never replace an instance`,
          `use at most ${Math.max(0, max - 1)}`, [at('capacity', 'max')]);
      }
      if (isNumber(batchSize) && isNumber(max) && batchSize > max) {
        report(at('deploy', 'batchSize'), `must be <= capacity.max (${max})`, undefined, [at('capacity', 'max')]);
      }
    }
  }
  return findings;
};
