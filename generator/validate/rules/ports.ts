import { error, type Finding } from '../finding';
import type { Rule } from '../rule';

const REMOTE_ACCESS: Record<number, string> = { 22: 'SSH', 3389: 'RDP' };

/**
 * No SSH or RDP, ever: instances are reached with SSM Session Manager (and Fleet Manager for
 * Windows desktops), which needs no open port and logs every session.
 */
export const portsRule: Rule = ({ environments }) => {
  const findings: Finding[] = [];
  for (const environment of environments) {
    for (const tier of environment.spec.tiers) {
      const protocol = REMOTE_ACCESS[tier.port];
      if (protocol) {
        findings.push(error('GNT224', ['tiers', tier.name, 'port'], `${tier.port} is the ${protocol} port; gantry never opens remote-login ports`,
          `reach instances with SSM Session Manager${protocol === 'RDP' ? ' (Fleet Manager for a Windows desktop)' : ''}; port is where the application listens, e.g. 80 or 8080`,
          environment.name));
      }
    }
  }
  return findings;
};
