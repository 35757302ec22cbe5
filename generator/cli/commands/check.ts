import type { CommandModule } from 'yargs';
import { ExitCode, type CliIo } from '../io';
import type { SharedOptions } from '../options';
import { buildSide, planFromSpec, withOutputExamples } from './plan';

/** `gantry check`: exit 1 naming every generated file that is stale, missing, extra or edited by hand. */
export function checkCommand(io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, SharedOptions> {
  return {
    command: 'check',
    describe: 'fail when the generated files are not what generate would write',
    builder: (yargs) => withOutputExamples(yargs, 'check', 'in CI: fail when output/ is stale or was edited by hand')
      .epilog('Exit codes: 0 current, 1 drift or an invalid spec, 2 usage error or unreadable spec.'),
    handler: (args) => {
      const result = planFromSpec(args, io);
      if ('exit' in result) return exit(result.exit);
      const { describeDrift, unfinishedWrite } = buildSide();
      const drift = [unfinishedWrite(args.out), ...result.plans.flatMap(describeDrift)].filter((line): line is string => line !== undefined);
      const files = result.plans.reduce((n, plan) => n + plan.changes.length, 0);
      if (drift.length === 0) {
        io.stdout(`✔ ${args.out} and ${args.workflows} are current (${files} files from ${args.spec}).\n`);
        return exit(ExitCode.ok);
      }
      io.stdout(`${drift.join('\n')}\n✖ ${drift.length} generated file${drift.length === 1 ? '' : 's'} differ from what "gantry generate" writes; run it and commit the result.\n`);
      return exit(ExitCode.invalid);
    },
  };
}
