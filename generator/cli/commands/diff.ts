import type { CommandModule } from 'yargs';
import { ExitCode, type CliIo } from '../io';
import type { SharedOptions } from '../options';
import { buildSide, planFromSpec, withOutputExamples } from './plan';

/** `gantry diff`: the unified diff that `generate` would apply; writes nothing. */
export function diffCommand(io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, SharedOptions & { 'exit-code': boolean }> {
  return {
    builder: (yargs) => withOutputExamples(yargs, 'diff', 'review what a spec change does to output/')
      .option('exit-code', { type: 'boolean', default: false, describe: 'exit 1 when there is a difference, as git diff --exit-code does' })
      .example('$0 diff --exit-code', 'in a script: exit 1 when generate would change something')
      .epilog('Exit codes: 0 no difference (or any, without --exit-code), 1 a difference with --exit-code or an invalid spec, 2 usage error or unreadable spec.'),
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
      const diff = result.plans.map(renderDiff).join('');
      if (diff === '') {
        io.stdout(`No changes: ${args.out} and ${args.workflows} are what "gantry generate" writes from ${args.spec}.\n`);
        return exit(ExitCode.ok);
      }
      io.stdout(diff);
      return exit(args['exit-code'] ? ExitCode.invalid : ExitCode.ok);
    },
  };
}
