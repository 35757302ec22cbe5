import { isPlainObject } from '../../spec/path';
import { error, type Finding } from '../finding';
import type { Rule } from '../rule';

const NAME = /^[a-z][a-z0-9-]{0,19}$/;

/** Stack kinds of a region: a tier of the same name would collide with them (`<project>-<env>-<stack>`). */
export const RESERVED_TIER_NAMES = ['alarms', 'bootstrap', 'budget', 'database', 'edge', 'global', 'network', 'notifications'];

/**
 * Environment and tier names become stack names, logical ids, SSM paths and GitHub environment
 * names: lowercase letters, digits and hyphens, starting with a letter, at most 20 characters.
 */
export const namesRule: Rule = ({ document }) => {
  const findings: Finding[] = [];
  const check = (section: 'tiers' | 'environments') => {
    const map = document[section];
    if (!isPlainObject(map)) return;
    for (const name of Object.keys(map)) {
      const what = section === 'tiers' ? 'tier' : 'environment';
      if (!NAME.test(name)) {
        const suggestion = suggestName(name);
        findings.push(error('GNT221', [section, name],
          `the ${what} name "${name}" must be 1 to 20 lowercase letters, digits and hyphens, starting with a letter (it becomes part of stack names${section === 'environments' ? ' and the GitHub environment name' : ''})`,
          suggestion ? `rename it "${suggestion}"` : undefined));
      } else if (/--|-$/.test(name)) {
        findings.push(error('GNT221', [section, name], `the ${what} name "${name}" must not end with a hyphen or hold two in a row`,
          `rename it "${suggestName(name)}"`));
      } else if (section === 'tiers' && RESERVED_TIER_NAMES.includes(name)) {
        findings.push(error('GNT222', [section, name], `"${name}" is the name of one of gantry's own stacks`, `rename the tier, e.g. "${name}-tier"`));
      }
    }
  };
  check('tiers');
  check('environments');
  return findings;
};

/** A valid name close to an invalid one: `Web_Servers` → `web-servers`. */
export function suggestName(name: string): string | undefined {
  const suggestion = name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 20)
    .replace(/-+$/, '');
  return suggestion.length > 0 && suggestion !== name ? suggestion : undefined;
}
