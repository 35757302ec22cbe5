import { error, type Finding } from '../finding';
import type { Rule } from '../rule';

/**
 * Environments that share an account have names that do not extend each other with a hyphen
 * (`prod` and `prod-eu`): each environment's roles reach its stacks and roles by name prefix
 * (`<project>-prod-*`), which would also cover the other environment's.
 */
export const sharedAccountsRule: Rule = ({ environments }) => {
  const findings: Finding[] = [];
  for (const outer of environments) {
    for (const inner of environments) {
      if (outer === inner || !outer.account || outer.account !== inner.account) continue;
      if (!inner.name.startsWith(`${outer.name}-`)) continue;
      findings.push(error('GNT232', ['environments', inner.name],
        `shares account ${outer.account} with environment "${outer.name}", and its name extends "${outer.name}-": "${outer.name}"'s roles, scoped to stacks and roles named <project>-${outer.name}-*, would reach it too`,
        `rename one of them (e.g. "${inner.name.replace(`${outer.name}-`, '')}-${outer.name}"), or give it its own account`));
    }
  }
  return findings;
};
