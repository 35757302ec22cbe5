/**
 * The deploy rehearsal as a test: the generated workflows run end to end against the stand-in AWS
 * with the real AWS CLI, and every scenario must pass with no call denied (one that does not apply
 * to a spec, such as removing a tier of a one-tier spec, says why and passes).
 *
 * Every scenario of every example and test spec (`npm run test:rehearsal`, GANTRY_REHEARSAL=full, or
 * `npm run rehearse`) takes 15 minutes on two cores (`--jobs 3`, session 9: 136 results, 8,071 AWS calls): more
 * than CI's whole run may take (ten minutes).
 * So `npm run test:all`, which CI runs, rehearses every scenario at least once, each where it proves
 * the most:
 * - minimal: every scenario (every workflow and script, one region);
 * - pharma-portal: two regions and global stacks (roles across regions, cross-region lookups, the
 *   release history rollback reads in every region), the secret origin header's rotation, a
 *   cancelled run, and the failover by restoring the replicated backups;
 * - medical-logistics: two environments in one run with Slack failing (the later one must still
 *   deploy), and the failover by promoting the cross-region read replica;
 * - windows-sqlserver-single-nat: removing a tier (the examples have one tier each);
 * - every other test spec: its first deploy (three tiers with MySQL and an edge, names at their
 *   length limits, a MariaDB replacement, a network without egress), so every source deploys in CI.
 * What CI leaves to the full run: the same scenarios on the other sources.
 *
 * The sources run two at a time, the costliest first: their time goes to child processes (the AWS
 * CLI, bash, jq, gantry), which a second core runs alongside.
 */
import { defaultSources, formatResult } from './cli';
import { SCENARIOS, runScenarios } from './scenarios';

const FULL = process.env.GANTRY_REHEARSAL === 'full';
const ALL = Object.keys(SCENARIOS);
const IN_CI: [string, string[]][] = [
  ['examples/pharma-portal.yaml', ['cancelled', 'first-deploy', 'drift', 'release', 'failing-release', 'rollback', 'release-baked', 'origin-secret', 'failover']],
  ['examples/medical-logistics.yaml', ['second-push', 'slack-down', 'failover']],
  ['test/specs/mysql-edge-three-tiers.yaml', ['first-deploy']],
  ['test/specs/windows-sqlserver-single-nat.yaml', ['tier-removed']],
  ['test/specs/longest-names.yaml', ['first-deploy']],
  ['test/specs/mariadb-replacing.yaml', ['first-deploy']],
  ['examples/minimal.yaml', ALL],
  ['test/specs/no-egress-single-az.yaml', ['first-deploy']],
];

const sources = defaultSources();
const plan = (FULL ? sources.map((s) => ({ ...s, scenarios: ALL })) : IN_CI.map(([label, scenarios]) => {
  const source = sources.find((s) => s.label === label);
  if (!source) throw new Error(`the rehearsal's CI plan names ${label}, which is not a source`);
  return { ...source, scenarios };
})).map((source) => ({ ...source, what: source.scenarios === ALL ? 'every scenario' : source.scenarios.join(', ') }));

describe('deploy rehearsal', () => {
  test.concurrent.each(plan)('$label: $what', async ({ label, source, scenarios }) => {
    const results = await runScenarios(source, scenarios);
    expect(results.map((r) => r.scenario).sort()).toEqual([...scenarios].sort());
    expect(results.filter((r) => !r.ok).map((r) => formatResult(label, r))).toEqual([]);
  }, 3_600_000);
});
