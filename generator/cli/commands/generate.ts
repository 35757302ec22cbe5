import path from 'node:path';
import type { CommandModule } from 'yargs';
import { WriteRefusal } from '../../write/errors';
import { ExitCode, type CliIo } from '../io';
import type { SharedOptions } from '../options';
import { bootstrapNotices } from '../bootstrap-notice';
import { buildSide, planTargets, targetsFromSpec, withOutputExamples } from './plan';

/** `gantry generate`: writes the templates, touching only files gantry generated. */
export function generateCommand(io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, SharedOptions> {
  return {
    builder: (yargs) => withOutputExamples(yargs, 'generate', 'write output/ from environment.yaml'),
    handler: (args) => {
      const built = targetsFromSpec(args, io);
      if ('exit' in built) return exit(built.exit);
      const { targets } = built;
      const { applyPlans, refuseForeignFolder, withWriteLock } = buildSide();
      if (path.resolve(args.out) === path.resolve(args.workflows)) throw new WriteRefusal(`--out and --workflows name the same folder (${args.out}); give the workflows their own (default .github/workflows)`);
      // Before anything, even the lock, is written into a folder that is not gantry's.
      const isWorkflow = (name: string) => /^[^/]+\.ya?ml$/.test(name);
      for (const t of targets) refuseForeignFolder({ ...t, dir: t.outDir, env: io.env, alsoAllowed: t.option === '--workflows' ? isWorkflow : undefined });
      // Conflicts are reported before the lock is taken (which creates --out): nothing is written.
      const first = planTargets(targets);
      // The lock excludes another run; a journal a crashed run left is completed or rolled back first.
      const plans = first.some((plan) => plan.conflicts.length > 0) ? first : withWriteLock(args.out, (recovered) => {
        if (recovered) io.stderr(`gantry: an interrupted write (pid ${recovered.pid}) was found in ${args.out} and ${recovered.outcome}.\n`);
        const planned = planTargets(targets);
        if (planned.some((plan) => plan.conflicts.length > 0)) return planned;
        applyPlans(args.out, planned);
        return planned;
      });
      const conflicts = plans.flatMap((plan) => plan.conflicts.map((c) => `${path.join(plan.outDir, c.path)} ${c.reason}`));
      if (conflicts.length > 0) {
        for (const c of conflicts) io.stderr(`gantry: ${c}\n`);
        io.stderr('Nothing was written.\n');
        return exit(ExitCode.invalid);
      }
      const changes = plans.flatMap((plan) => plan.changes.map((change) => ({ ...change, file: path.join(plan.outDir, change.path) })));
      for (const plan of plans) for (const k of plan.kept) io.stderr(`gantry: ${path.join(plan.outDir, k.path)}: ${k.reason}\n`);
      const count = (kind: string) => changes.filter((c) => c.kind === kind).length;
      for (const change of changes) {
        const handEdit = change.kind === 'update' && change.editedByHand ? ` (it had been edited by hand; that edit is gone: make it in ${args.spec} instead)` : '';
        if (change.kind !== 'unchanged') io.stdout(`  ${change.kind === 'create' ? 'created' : change.kind === 'update' ? 'updated' : 'removed'} ${change.file}${handEdit}\n`);
      }
      io.stdout(`Generated ${args.out} and ${args.workflows} from ${args.spec}: ${count('create')} created, ${count('update')} updated, ${count('unchanged')} unchanged, ${count('remove')} removed.\n`);
      for (const line of bootstrapNotices(built.model, args.out, changes)) io.stdout(line);
      return exit(ExitCode.ok);
    },
  };
}
