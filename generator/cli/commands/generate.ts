import path from 'node:path';
import type { CommandModule } from 'yargs';
import { ExitCode, type CliIo } from '../io';
import type { SharedOptions } from '../options';
import { buildSide, planFromSpec, withOutputExamples } from './plan';

/** `gantry generate`: writes the templates, touching only files gantry generated. */
export function generateCommand(io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, SharedOptions> {
  return {
    command: 'generate',
    describe: 'write the CloudFormation templates to --out',
    builder: (yargs) => withOutputExamples(yargs, 'generate', 'write output/ from environment.yaml'),
    handler: (args) => {
      const result = planFromSpec(args, io);
      if ('exit' in result) return exit(result.exit);
      const { plans } = result;
      const conflicts = plans.flatMap((plan) => plan.conflicts.map((c) => `${path.join(plan.outDir, c.path)} ${c.reason}`));
      if (conflicts.length > 0) {
        for (const c of conflicts) io.stderr(`gantry: ${c}\n`);
        io.stderr('Nothing was written.\n');
        return exit(ExitCode.invalid);
      }
      const { applyWrite } = buildSide();
      for (const plan of plans) applyWrite(plan);
      const changes = plans.flatMap((plan) => plan.changes.map((change) => ({ ...change, file: path.join(plan.outDir, change.path) })));
      for (const plan of plans) for (const k of plan.kept) io.stderr(`gantry: ${path.join(plan.outDir, k.path)}: ${k.reason}\n`);
      const count = (kind: string) => changes.filter((c) => c.kind === kind).length;
      for (const change of changes) {
        if (change.kind !== 'unchanged') io.stdout(`  ${change.kind === 'create' ? 'created' : change.kind === 'update' ? 'updated' : 'removed'} ${change.file}\n`);
      }
      io.stdout(`Generated ${args.out} and ${args.workflows} from ${args.spec}: ${count('create')} created, ${count('update')} updated, ${count('unchanged')} unchanged, ${count('remove')} removed.\n`);
      return exit(ExitCode.ok);
    },
  };
}
