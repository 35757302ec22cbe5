import fs from 'node:fs';
import path from 'node:path';
import yargs, { type Argv, type CommandModule } from 'yargs';
import { PACKAGE_ROOT } from '../paths';
import { describeFileSystemError, WriteFailure, WriteRefusal } from '../write/errors';
import { ExitCode, processIo, UsageError, type CliIo } from './io';
import { ioForFormat, requestedFormat, withOptions, withSharedOptions, type FileOption, type SharedOptions } from './options';

/* eslint-disable @typescript-eslint/no-require-imports */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command parses its own options
type CommandFactory = (io: CliIo, exit: (code: number) => void) => CommandModule<SharedOptions, any>;

/** A command: its name, what --help says of it, the file options it reads, and its module. */
interface CommandEntry {
  readonly command: string;
  readonly describe: string;
  readonly files?: readonly FileOption[];
  /** The command's module, required only when the command runs or prints its --help. */
  readonly load: () => CommandFactory;
}

/**
 * Every command, in the order --help lists them. A command's module (and what it imports: the
 * spec's validator, the writer, aws-cdk-lib, Octokit) loads only when that command is chosen, so
 * each pays for its own modules only.
 */
const COMMANDS: readonly CommandEntry[] = [
  { command: 'validate', describe: 'check the spec and print every problem with its file:line:col', files: ['spec'], load: () => (require('./commands/validate') as typeof import('./commands/validate')).validateCommand },
  { command: 'init', describe: 'start a spec from an example', files: ['spec'], load: () => (require('./commands/init') as typeof import('./commands/init')).initCommand },
  { command: 'schema', describe: "print the spec's JSON Schema (every field, its default and meaning)", load: () => (require('./commands/schema') as typeof import('./commands/schema')).schemaCommand },
  { command: 'generate', describe: 'write the CloudFormation templates to --out', files: ['spec', 'out', 'workflows'], load: () => (require('./commands/generate') as typeof import('./commands/generate')).generateCommand },
  { command: 'check', describe: 'fail when the generated files are not what generate would write', files: ['spec', 'out', 'workflows'], load: () => (require('./commands/check') as typeof import('./commands/check')).checkCommand },
  { command: 'diff', describe: 'print the unified diff that generate would apply', files: ['spec', 'out', 'workflows'], load: () => (require('./commands/diff') as typeof import('./commands/diff')).diffCommand },
  { command: 'lint', describe: "check the generated templates with gantry's deploy-time rules and AWS's CloudFormation validator", files: ['out'], load: () => (require('./commands/lint') as typeof import('./commands/lint')).lintCommand },
  { command: 'stacks', describe: 'print the stacks of an environment and region in deploy order, as JSON', files: ['spec', 'out'], load: () => (require('./commands/stacks') as typeof import('./commands/stacks')).stacksCommand },
  { command: 'export', describe: 'write a deployable bundle (templates, parameters, deploy.sh) per environment and region, or StackSets', files: ['spec'], load: () => (require('./commands/export') as typeof import('./commands/export')).exportCommand },
  { command: 'comment', describe: "keep one pull-request comment with the change sets' summary (GITHUB_TOKEN, GITHUB_API_URL)", load: () => (require('./commands/comment') as typeof import('./commands/comment')).commentCommand },
  { command: 'github [action]', describe: 'set up the GitHub side: environments with reviewers and a deploy-branch policy', files: ['spec'], load: () => (require('./commands/github') as typeof import('./commands/github')).githubCommand },
];
/* eslint-enable @typescript-eslint/no-require-imports */

/** The yargs command of an entry: its module is required when yargs asks for its options (it was chosen). */
function lazyCommand(entry: CommandEntry, io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, never> {
  let loaded: ReturnType<CommandFactory> | undefined;
  const module = () => (loaded ??= entry.load()(io, exit));
  return withOptions<SharedOptions, never>({
    command: entry.command,
    describe: entry.describe,
    builder: (y: Argv<SharedOptions>) => {
      const builder = module().builder;
      if (typeof builder === 'function') return builder(y) as Argv<never>;
      return (builder ? y.options(builder) : y) as unknown as Argv<never>;
    },
    handler: (args) => module().handler(args),
  }, entry.files);
}

/**
 * Runs the CLI with the given arguments and returns the exit code. Never throws: user mistakes
 * are messages with exit 1 or 2, and anything else is an internal error (exit 70) whose stack
 * trace is printed only with --debug.
 */
export async function run(argv: readonly string[], baseIo: CliIo = processIo()): Promise<number> {
  // With --format json, stdout holds only JSON: every message goes to stderr.
  const io = ioForFormat(baseIo, requestedFormat(argv));
  let code: number = ExitCode.ok;
  const exit = (c: number) => {
    code = c;
  };
  const debug = argv.includes('--debug');
  // lint's time is mostly AWS's validator building its engine, in a process of its own: start it
  // before yargs and the command load, so the two overlap (validate-templates.ts).
  const lints = argv[0] === 'lint' && !argv.some((a) => ['--help', '-h', '--rules', '--version'].includes(a));
  // Required only for lint: the module loads child_process, a few milliseconds of every other command.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const prestarted = lints ? require('../lint/validate-templates') as typeof import('../lint/validate-templates') : undefined;
  prestarted?.prestartTemplateValidation();
  try {
    let parser = withSharedOptions(yargs());
    for (const entry of COMMANDS) parser = parser.command(lazyCommand(entry, io, exit));
    parser = parser
      .scriptName('gantry')
      .usage('$0 <command> [options]\n\nTurns environment.yaml into CloudFormation templates and GitHub Actions workflows.')
      .demandCommand(1, 'name a command')
      .recommendCommands()
      .strict()
      .version(readVersion())
      .help()
      .alias('help', 'h')
      .wrap(Math.min(110, process.stdout.columns ?? 100))
      .epilog('Exit codes: 0 OK, 1 invalid spec, 2 usage error or unreadable file, 70 internal error. Docs: README.md; every spec field: gantry schema.')
      .exitProcess(false)
      // Throwing stops yargs before any handler runs; a message without an error is a usage error.
      .fail((message, error) => {
        // yargs reports some usage problems (a flag without its value) as a YError.
        if (!error || error.name === 'YError') throw new UsageError(message ?? error?.message);
        throw error;
      });
    skipHelpCache(parser);
    // parseAsync waits for async handlers (comment, github setup); help and version text is captured.
    let output = '';
    await parser.parseAsync([...argv], {}, (error, _args, text) => {
      if (error) throw error;
      output = text ?? '';
    });
    if (output) io.stdout(`${output.replace(/\n*$/, '')}\n`);
    return code;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`gantry: ${error.message}\nRun "gantry --help" for the commands and options.\n`);
      return ExitCode.usage;
    }
    // The writer's refusals and file-system failures are the user's situation, not a bug.
    const refusal = error instanceof WriteRefusal || error instanceof WriteFailure ? (error as Error).message : describeFileSystemError(error);
    if (refusal) {
      io.stderr(`gantry: ${refusal}\n`);
      return ExitCode.usage;
    }
    io.stderr(`gantry: internal error: ${(error as Error)?.message ?? String(error)}\n` +
      'This is a bug in gantry. Please report it with the spec that caused it' +
      (debug ? '.\n' : ' (run again with --debug for the stack trace).\n'));
    if (debug) io.stderr(`${(error as Error)?.stack ?? ''}\n`);
    return ExitCode.internal;
  } finally {
    prestarted?.stopPrestartedValidation();
  }
}

/**
 * NOTE: after a command's handler runs, yargs renders that command's whole --help text and keeps
 * it, so that a failure afterwards could show it (yargs' `fail` with showHelpOnFail). gantry's
 * `fail` throws instead, and help is printed only for --help, before any handler: the text was
 * never used, and rendering it was 5-7 % of `gantry stacks`, which every workflow job runs.
 * `getInternalMethods` is how yargs' own command module reaches the usage instance (yargs 17).
 */
export function skipHelpCache<T>(parser: Argv<T>): void {
  const usage = (parser as unknown as { getInternalMethods?(): { getUsageInstance?(): { cacheHelpMessage?(): void } } })
    .getInternalMethods?.().getUsageInstance?.();
  if (typeof usage?.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

function readVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The `gantry` binary. */
export function main(): void {
  void run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
