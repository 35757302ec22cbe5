/**
 * The deploy rehearsal in CI: every scenario, for every example (its committed spec, templates and
 * workflows) and every spec of test/specs/ (generated into a fresh repository), run end to end
 * against the stand-in AWS with the real AWS CLI. Every scenario must pass with no call denied; one
 * that does not apply to a spec (no tier to remove, no Slack to lose) says why and passes.
 *
 * The sources run two at a time (jest's maxConcurrency in jest.rehearsal.config.js): their time goes
 * to child processes (the AWS CLI, bash, gantry), so two share the machine's cores.
 */
import { defaultSources, formatResult } from './cli';
import { SCENARIOS, runScenarios } from './scenarios';

const sources = defaultSources();

describe('deploy rehearsal', () => {
  test.concurrent.each(sources)('$label: every scenario', async ({ label, source }) => {
    const results = await runScenarios(source, Object.keys(SCENARIOS));
    expect(results.map((r) => r.scenario).sort()).toEqual(Object.keys(SCENARIOS).sort());
    const failed = results.filter((r) => !r.ok).map((r) => formatResult(label, r));
    expect(failed).toEqual([]);
  }, 3_600_000);
});
