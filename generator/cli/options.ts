import type { Argv, CommandModule } from 'yargs';
import type { ReportFormat, ReportOptions } from '../report';
import type { CliIo } from './io';

/** Options every command shares; `generate`, `check` and `diff` use --out and --workflows. */
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

export function withSharedOptions<T>(yargs: Argv<T>): Argv<T & SharedOptions> {
  return yargs
    .option('spec', { type: 'string', default: 'environment.yaml', describe: 'the environment spec to read', normalize: true, requiresArg: true })
    .option('out', { type: 'string', default: 'output', describe: 'folder for generated templates', normalize: true, requiresArg: true })
    .option('workflows', { type: 'string', default: '.github/workflows', describe: 'folder for generated workflows', normalize: true, requiresArg: true })
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of internal errors' }) as Argv<T & SharedOptions>;
}

/**
 * The command with `--format`, how problems print. Given per command rather than globally, so a
 * command whose --format says what it writes (`export`) can define its own.
 */
export function withReportFormat<T, U>(command: CommandModule<T, U>): CommandModule<T, U> {
  const builder = command.builder;
  return {
    ...command,
    builder: (yargs: Argv<T>) => {
      const withFormat = yargs.option('format', {
        choices: ['auto', 'human', 'json', 'github'] as const,
        default: 'auto' as const,
        describe: 'how to print problems (auto: GitHub annotations inside GitHub Actions)',
      }) as unknown as Argv<T>;
      if (typeof builder === 'function') return builder(withFormat) as Argv<U>;
      return (builder ? withFormat.options(builder) : withFormat) as unknown as Argv<U>;
    },
  };
}

/** Resolves --format auto and colour from the environment (NO_COLOR, a terminal, GitHub Actions). */
export function reportOptions(format: SharedOptions['format'], io: CliIo): ReportOptions {
  const resolved: ReportFormat = format === 'auto' ? (io.env.GITHUB_ACTIONS === 'true' ? 'github' : 'human') : format;
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  return { format: resolved, color: resolved === 'human' && io.isTty && !noColor };
}
