import type { CommandModule } from 'yargs';
import { ExitCode, type CliIo } from '../io';
import type { SharedOptions } from '../options';
import { buildSide, planFromSpec, withOutputExamples } from './plan';

/** `gantry diff`: the unified diff that `generate` would apply; writes nothing. */
export function diffCommand(io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, SharedOptions> {
  return {
    command: 'diff',
    describe: 'print the unified diff that generate would apply',
    builder: (yargs) => withOutputExamples(yargs, 'diff', 'review what a spec change does to output/'),
    handler: (args) => {
      const result = planFromSpec(args, io);
      if ('exit' in result) return exit(result.exit);
      const { renderDiff, unfinishedWrite } = buildSide();
      const unfinished = unfinishedWrite(args.out);
      if (unfinished) {
        // The tree is half old, half new: a diff against it would mislead.
        io.stderr(`gantry: ${unfinished}, then diff again.\n`);
        return exit(ExitCode.invalid);
      }
      io.stdout(result.plans.map(renderDiff).join(''));
      return exit(ExitCode.ok);
    },
  };
}
