/**
 * The deploy rehearsal as a test: the generated workflows run end to end against the stand-in AWS
 * with the real AWS CLI, and every scenario must pass with no call denied (one that does not apply
 * to a spec, such as removing a tier of a one-tier spec, says why and passes).
 *
 * In `npm test` (and so in CI, whose whole run must stay within ten minutes on two cores) it runs
 * every scenario of the minimal example, which exercises every workflow and script, and the first
 * deploy and the failover of pharma-portal (two accounts, two regions, global stacks, SQL Server with
 * backups replicated to the standby), where roles across regions, global stacks, cross-region lookups
 * and the restore are proved; and the removal of a tier of windows-sqlserver-single-nat (the examples
 * have one tier each). `npm run test:rehearsal` (GANTRY_REHEARSAL=full) and
 * `npm run rehearse` run every scenario for every example and every spec of test/specs/.
 *
 * The sources run two at a time: their time goes to child processes (the AWS CLI, bash, gantry).
 */
import { defaultSources, formatResult } from './cli';
import { SCENARIOS, runScenarios } from './scenarios';

const FULL = process.env.GANTRY_REHEARSAL === 'full';
const ALL = Object.keys(SCENARIOS);
const IN_NPM_TEST: Record<string, string[]> = {
  'examples/minimal.yaml': ALL,
  // medical-logistics (three accounts' worth of stacks) passes its scenarios with
  // `npm run rehearse -- --spec examples/medical-logistics.yaml`; it does not fit in CI's ten minutes.
  'examples/pharma-portal.yaml': ['first-deploy', 'failover'],
  // The examples have one tier each: removing a tier (its stacks deleted after approval, a protected
  // load balancer unprotected first, strangers' stacks left alone) is rehearsed on a two-tier spec.
  'test/specs/windows-sqlserver-single-nat.yaml': ['tier-removed'],
};

const plan = defaultSources()
  .map((source) => ({ ...source, scenarios: FULL ? ALL : IN_NPM_TEST[source.label] ?? [] }))
  .map((source) => ({ ...source, what: source.scenarios === ALL ? 'every scenario' : source.scenarios.join(', ') }))
  .filter((source) => source.scenarios.length > 0);

describe('deploy rehearsal', () => {
  test.concurrent.each(plan)('$label: $what', async ({ label, source, scenarios }) => {
    const results = await runScenarios(source, scenarios);
    expect(results.map((r) => r.scenario).sort()).toEqual([...scenarios].sort());
    expect(results.filter((r) => !r.ok).map((r) => formatResult(label, r))).toEqual([]);
  }, 3_600_000);
});
