import type { Argv, CommandModule } from 'yargs';
import type { ReportFormat, ReportOptions } from '../report';
import type { CliIo } from './io';

/** The options of the commands; each declares those it uses (withOptions): --spec, --out, --workflows, --format. */
export interface SharedOptions {
  /** @default "environment.yaml" */
  spec: string;
  /** @default "output" */
  out: string;
  /** @default ".github/workflows" */
  workflows: string;
  /** @default "auto": github annotations when GITHUB_ACTIONS=true, else human */
  format: 'auto' | ReportFormat;
  /** Print stack traces of internal errors. @default false */
  debug: boolean;
}

/** The options every command has: --debug. The others each command declares (see withOptions). */
export function withSharedOptions<T>(yargs: Argv<T>): Argv<T & SharedOptions> {
  return yargs
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of internal errors' }) as Argv<T & SharedOptions>;
}

/** The file options a command can read: each command lists only those it uses, so its --help does too. */
const FILE_OPTIONS = {
  spec: { type: 'string', default: 'environment.yaml', describe: 'the environment spec to read', normalize: true, requiresArg: true },
  out: { type: 'string', default: 'output', describe: 'folder for generated templates', normalize: true, requiresArg: true },
  workflows: { type: 'string', default: '.github/workflows', describe: 'folder for generated workflows', normalize: true, requiresArg: true },
} as const;

/** The name of a file option (see FILE_OPTIONS). */
export type FileOption = keyof typeof FILE_OPTIONS;

/** The formats of --format: how problems print, on every command. */
export const REPORT_FORMATS = ['auto', 'human', 'json', 'github'] as const;

/**
 * The command with the file options it uses and `--format`, how problems print: human text, JSON
 * (then stdout holds only JSON; messages go to stderr) or GitHub annotations (auto: annotations
 * inside GitHub Actions, else human).
 */
export function withOptions<T, U>(command: CommandModule<T, U>, files: readonly (keyof typeof FILE_OPTIONS)[] = []): CommandModule<T, U> {
  const builder = command.builder;
  return {
    ...command,
    builder: (yargs: Argv<T>) => {
      let withFormat = yargs.option('format', {
        choices: REPORT_FORMATS,
        default: 'auto' as const,
        describe: 'how to print problems; json: only JSON on stdout (auto: GitHub annotations inside GitHub Actions, else human)',
      }) as unknown as Argv<T>;
      for (const name of files) withFormat = withFormat.option(name, { ...FILE_OPTIONS[name] }) as unknown as Argv<T>;
      if (typeof builder === 'function') return builder(withFormat) as Argv<U>;
      return (builder ? withFormat.options(builder) : withFormat) as unknown as Argv<U>;
    },
  };
}

/**
 * The --format a command line asks for (its last one), before yargs parses it: in JSON mode the
 * CLI's messages go to stderr, so stdout holds only JSON.
 */
export function requestedFormat(argv: readonly string[]): string | undefined {
  let format: string | undefined;
  argv.forEach((arg, i) => {
    if (arg === '--format') format = argv[i + 1];
    else if (arg.startsWith('--format=')) format = arg.slice('--format='.length);
  });
  return format;
}

/**
 * The CLI's world for one run: where machine-readable output goes (`data`: JSON reports, `gantry
 * stacks`, `gantry schema`) and where messages go (`stdout`): both stdout, except with --format json,
 * where messages go to stderr.
 */
export function ioForFormat(io: CliIo, format: string | undefined): CliIo {
  return format === 'json' ? { ...io, stdout: io.stderr, data: io.data ?? io.stdout } : { ...io, data: io.data ?? io.stdout };
}

/** Where a command prints what programs read. */
export function dataOut(io: CliIo): (text: string) => void {
  return io.data ?? io.stdout;
}

/** Resolves --format auto and colour from the environment (NO_COLOR, a terminal, GitHub Actions). */
export function reportOptions(format: SharedOptions['format'], io: CliIo): ReportOptions {
  const resolved: ReportFormat = format === 'auto' ? (io.env.GITHUB_ACTIONS === 'true' ? 'github' : 'human') : format;
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  return { format: resolved, color: resolved === 'human' && io.isTty && !noColor };
}
