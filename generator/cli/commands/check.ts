import path from 'node:path';
import type { CommandModule } from 'yargs';
import { ExitCode, type CliIo } from '../io';
import { dataOut, reportOptions, type SharedOptions } from '../options';
import { formatReport } from '../../report';
import { MANIFEST_FILE, WORKFLOWS_MANIFEST_FILE } from '../../write/manifest';
import { verifyUnchanged } from '../../write/verify';
import { unfinishedWrite } from '../../write/transaction';
import { buildSide, modelOrExit, planFromSpec, specProvenance, withOutputExamples } from './plan';

/** `gantry check`: exit 1 naming every generated file that is stale, missing, extra or edited by hand. */
export function checkCommand(io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, SharedOptions> {
  return {
    builder: (yargs) => withOutputExamples(yargs, 'check', 'in CI: fail when output/ is stale or was edited by hand')
      .option('build', {
        type: 'boolean', default: false,
        describe: 'build the files to compare even when the spec and gantry are unchanged since they were generated (always, where CI is set)',
      })
      .epilog('Exit codes: 0 current, 1 drift or an invalid spec, 2 usage error or unreadable spec.'),
    handler: (args) => {
      const read = modelOrExit(args, io);
      if ('exit' in read) return exit(read.exit);
      // An unchanged spec checked by the same build of gantry: compare the files with the manifests' hashes, without building.
      // Never in CI: there the manifests are part of what a pull request may change, so a template
      // edited together with its hash in the manifest would pass; only a build finds it.
      const trustsManifests = !(args as { build?: boolean }).build && !inContinuousIntegration(io.env);
      const fast = !trustsManifests || unfinishedWrite(args.out) ? undefined : verifyUnchanged([
        { outDir: args.out, manifestFile: path.join(args.out, MANIFEST_FILE) },
        { outDir: args.workflows, manifestFile: path.join(args.out, WORKFLOWS_MANIFEST_FILE) },
      ], specProvenance(args));
      let drift: string[];
      let files: number;
      if (fast) {
        if (read.report.diagnostics.length > 0) {
          const options = reportOptions(args.format, io);
          (options.format === 'json' ? dataOut(io) : io.stderr)(formatReport(args.spec, read.report.diagnostics, options));
        }
        ({ drift, files } = fast);
      } else {
        const result = planFromSpec(args, io, read);
        if ('exit' in result) return exit(result.exit);
        const { describeDrift } = buildSide();
        drift = [unfinishedWrite(args.out), ...result.plans.flatMap(describeDrift)].filter((line): line is string => line !== undefined);
        files = result.plans.reduce((n, plan) => n + plan.changes.length, 0);
      }
      if (reportOptions(args.format, io).format === 'json') dataOut(io)(`${JSON.stringify({ current: drift.length === 0, files, problems: drift }, null, 2)}\n`);
      if (drift.length === 0) {
        const how = fast ? '; the spec and gantry are unchanged since they were generated, so their hashes were checked without building' : '';
        io.stdout(`✔ ${args.out} and ${args.workflows} are current (${files} files from ${args.spec}${how}).\n`);
        return exit(ExitCode.ok);
      }
      const handEdited = drift.some((line) => line.endsWith(': edited by hand'));
      io.stdout(`${drift.join('\n')}\n✖ ${drift.length === 1 ? '1 generated file differs' : `${drift.length} generated files differ`} from what "gantry generate" writes from ${args.spec}. ` +
        `See what would change with "gantry diff", then run "gantry generate" and commit the result` +
        `${handEdited ? `; a hand edit is overwritten, so make the change in ${args.spec} instead` : ''}.\n`);
      return exit(ExitCode.invalid);
    },
  };
}

/** Whether this runs in CI: GitHub Actions and most other CI services set CI (GitHub Actions also GITHUB_ACTIONS). */
function inContinuousIntegration(env: Readonly<Record<string, string | undefined>>): boolean {
  const set = (value: string | undefined) => value !== undefined && value !== '' && value !== 'false' && value !== '0';
  return set(env.CI) || set(env.GITHUB_ACTIONS);
}
