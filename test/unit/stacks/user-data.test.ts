import { SIGNAL_MARGIN_SECONDS, userData } from '../../../generator/stacks/tier';
import type { TierModel } from '../../../generator/model/types';

// GIVEN a tier's OS and deploy.timeout  WHEN its user data is written  THEN the health-check loop
// ends by a deadline that leaves the OS's start-up, the last attempt (5 s request + 10 s sleep)
// and the signal inside the signal window.
describe('user data health-check loop', () => {
  test.each([
    ['linux', 300], ['linux', 900], ['linux', 3600], ['windows', 600], ['windows', 900], ['windows', 3600],
  ] as const)('%s with a %i s timeout', (os, timeout) => {
    const script = userData({ os, port: 8080, healthCheck: '/healthz' } as TierModel, timeout);
    const budget = Number(/(?:AddSeconds\(|SECONDS \+ )(\d+)/.exec(script)?.[1]);
    expect(budget).toBeGreaterThan(0);
    expect(budget + SIGNAL_MARGIN_SECONDS[os]).toBeLessThanOrEqual(timeout);
    expect(script).not.toMatch(/for \(\$attempt|seq 1/);
    expect(script).toContain('http://127.0.0.1:8080/healthz');
  });
});
