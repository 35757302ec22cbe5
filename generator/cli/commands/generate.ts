import path from 'node:path';
import type { CommandModule } from 'yargs';
import { applyWrite } from '../../write/writer';
import { ExitCode, type CliIo } from '../io';
import type { SharedOptions } from '../options';
import { planFromSpec, withOutputExamples } from './plan';

/** `gantry generate`: writes the templates, touching only files gantry generated. */
export function generateCommand(io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, SharedOptions> {
  return {
    command: 'generate',
    describe: 'write the CloudFormation templates to --out',
    builder: (yargs) => withOutputExamples(yargs, 'generate', 'write output/ from environment.yaml'),
    handler: (args) => {
      const result = planFromSpec(args, io);
      if ('exit' in result) return exit(result.exit);
      const { plan } = result;
      if (plan.conflicts.length > 0) {
        for (const c of plan.conflicts) io.stderr(`gantry: ${path.join(plan.outDir, c.path)} ${c.reason}\n`);
        io.stderr('Nothing was written.\n');
        return exit(ExitCode.invalid);
      }
      applyWrite(plan);
      for (const k of plan.kept) io.stderr(`gantry: ${path.join(plan.outDir, k.path)}: ${k.reason}\n`);
      const count = (kind: string) => plan.changes.filter((c) => c.kind === kind).length;
      for (const change of plan.changes) {
        if (change.kind !== 'unchanged') io.stdout(`  ${change.kind === 'create' ? 'created' : change.kind === 'update' ? 'updated' : 'removed'} ${path.join(plan.outDir, change.path)}\n`);
      }
      io.stdout(`Generated ${plan.outDir} from ${args.spec}: ${count('create')} created, ${count('update')} updated, ${count('unchanged')} unchanged, ${count('remove')} removed.\n`);
      return exit(ExitCode.ok);
    },
  };
}
