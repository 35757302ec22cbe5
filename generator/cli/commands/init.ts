import fs from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { EXAMPLES_DIR } from '../../paths';
import { didYouMean } from '../../util/suggest';
import { writeFileAtomic } from '../../write/atomic';
import { ExitCode, UsageError, type CliIo } from '../io';
import type { SharedOptions } from '../options';
import { schemaReference } from '../schema-reference';

interface InitOptions extends SharedOptions {
  from: string;
  force: boolean;
}

/** The starters `gantry init --from` knows: the bundled examples, by file name. */
export function listExamples(): string[] {
  return fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)).sort();
}

const SCHEMA_LINE = /^# yaml-language-server: \$schema=.*\n/m;

/**
 * `gantry init`: starts a spec from an example, with a yaml-language-server line so editors
 * complete and check it against the schema. Never overwrites a spec without --force.
 */
export function initCommand(io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, InitOptions> {
  return {
    builder: (yargs) =>
      yargs
        .option('from', { type: 'string', default: 'minimal', describe: `example to start from (${listExamples().join(', ')})`, requiresArg: true })
        .option('force', { type: 'boolean', default: false, describe: 'overwrite an existing spec' })
        .example('$0 init', 'write environment.yaml from the minimal example')
        .example('$0 init --from medical-logistics --spec platform.yaml', 'start from a reference platform'),
    handler: (args) => {
      const examples = listExamples();
      if (!examples.includes(args.from)) {
        throw new UsageError(`there is no example "${args.from}"; ${didYouMean(args.from, examples) ?? `choose one of ${examples.join(', ')}`}`);
      }
      const target = path.resolve(io.cwd, args.spec);
      if (fs.existsSync(target) && !args.force) {
        io.stderr(`gantry: ${args.spec} exists already; nothing was written.\n  hint: pass --force to replace it, or --spec to write another file\n`);
        exit(ExitCode.invalid);
        return;
      }
      const example = fs.readFileSync(path.join(EXAMPLES_DIR, `${args.from}.yaml`), 'utf8').replace(SCHEMA_LINE, '');
      writeFileAtomic(target, `${schemaReference(target)}${example}`);
      io.stdout(`Wrote ${args.spec} from the ${args.from} example.\nNext: edit it, then run "gantry validate${args.spec === 'environment.yaml' ? '' : ` --spec ${args.spec}`}".\n`);
      exit(ExitCode.ok);
    },
  };
}
