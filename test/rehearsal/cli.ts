/**
 * `npm run rehearse -- [--spec FILE] [--out DIR --workflows DIR] [--scenario NAME]... [--jobs N]`
 *
 * Without arguments: every scenario over every example (examples/*.yaml, with the files committed in
 * output/) and every spec of test/specs/ (generated into a fresh repository). With --spec alone: that
 * spec, generated. With --spec, --out and --workflows: the files already generated there, as they are,
 * so a hand-made break (a permission dropped from a role, a step removed) is what gets rehearsed.
 * Sources run N at a time (--jobs, default 2: their time goes to child processes, the AWS CLI, bash
 * and gantry, which a second core runs alongside). Prints one line per scenario as it ends; exits 1
 * if any failed.
 */
import fs from 'node:fs';
import path from 'node:path';
import yargs from 'yargs';
import { REPO_ROOT } from './rehearsal';
import { SCENARIOS, runScenarios, type ScenarioResult, type Source } from './scenarios';

export function formatResult(label: string, result: ScenarioResult): string {
  if (result.notApplicable) return `skip ${label} ${result.scenario}: ${result.notApplicable}`;
  const cost = result.cost ? ` (${result.cost.calls} AWS calls, ${result.cost.seconds} s)` : '';
  if (result.ok) return `pass ${label} ${result.scenario}${cost}`;
  return `FAIL ${label} ${result.scenario}${cost}\n${result.problems.map((p) => `       - ${p}`).join('\n')}`;
}

/**
 * AWS calls of every scenario per source in the last full run (session 9), costliest first. Only the
 * order in which sources start depends on it: the costliest starts first, so that it does not run
 * alone at the end while the other core idles. A source not listed starts last.
 */
const CALLS_IN_FULL_RUN: Record<string, number> = {
  'test/specs/mysql-edge-three-tiers.yaml': 2542, 'examples/medical-logistics.yaml': 1573, 'examples/pharma-portal.yaml': 1486,
  'test/specs/longest-names.yaml': 764, 'test/specs/windows-sqlserver-single-nat.yaml': 594, 'test/specs/mariadb-replacing.yaml': 539,
  'examples/minimal.yaml': 289, 'test/specs/no-egress-single-az.yaml': 284,
};

/** The examples, as committed (spec and output), and the test specs, generated; the costliest first. */
export function defaultSources(): { label: string; source: Source }[] {
  const examples = fs.readdirSync(path.join(REPO_ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).sort().map((f) => {
    const name = f.replace(/\.yaml$/, '');
    return { label: `examples/${f}`, source: { kind: 'generated' as const, cwd: REPO_ROOT, spec: `examples/${f}`, out: `output/${name}`, workflows: `output/${name}/.github/workflows` } };
  });
  const specs = fs.readdirSync(path.join(REPO_ROOT, 'test/specs')).filter((f) => f.endsWith('.yaml')).sort()
    .map((f) => ({ label: `test/specs/${f}`, source: { kind: 'spec' as const, spec: path.join(REPO_ROOT, 'test/specs', f) } }));
  const cost = (label: string) => CALLS_IN_FULL_RUN[label] ?? 0;
  return [...examples, ...specs].sort((a, b) => cost(b.label) - cost(a.label) || a.label.localeCompare(b.label));
}

async function main(): Promise<number> {
  const args = await yargs(process.argv.slice(2))
    .option('spec', { type: 'string', describe: 'a spec to rehearse (generated into a fresh repository unless --out is given)' })
    .option('out', { type: 'string', describe: 'rehearse the templates already generated here (with --spec and --workflows)' })
    .option('workflows', { type: 'string', describe: 'the workflows already generated (with --out)' })
    .option('scenario', { type: 'string', array: true, choices: Object.keys(SCENARIOS), describe: 'run only these scenarios' })
    .option('jobs', { type: 'number', default: 2, describe: 'how many sources to rehearse at a time' })
    .strict()
    .fail((message) => { throw new Error(message); })
    .parseAsync();
  if (!Number.isInteger(args.jobs) || args.jobs < 1) {
    console.error('rehearse: --jobs takes a whole number of at least 1');
    return 2;
  }
  if ((args.out === undefined) !== (args.workflows === undefined) || (args.out !== undefined && !args.spec)) {
    console.error('rehearse: --out and --workflows go together, with --spec');
    return 2;
  }
  const sources = !args.spec
    ? defaultSources()
    : [{ label: args.spec, source: args.out
      ? { kind: 'generated' as const, cwd: process.cwd(), spec: args.spec, out: args.out, workflows: args.workflows as string }
      : { kind: 'spec' as const, spec: path.resolve(args.spec) } }];
  for (const { source } of sources) {
    const file = source.kind === 'spec' ? source.spec : path.resolve(source.cwd, source.spec);
    if (!fs.existsSync(file)) { console.error(`rehearse: ${file} does not exist`); return 2; }
  }
  const scenarios = args.scenario ?? Object.keys(SCENARIOS);
  let failed = 0;
  let passed = 0;
  const queue = [...sources];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { label, source } = next;
      await runScenarios(source, scenarios, (result) => {
        console.log(formatResult(label, result));
        if (result.ok) passed++; else failed++;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.jobs, queue.length) }, worker));
  console.log(`rehearse: ${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

if (require.main === module) {
  main().then((code) => { process.exitCode = code; }, (error: unknown) => {
    console.error(`rehearse: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  });
}
