import fs from 'node:fs';
import path from 'node:path';
import yargs from 'yargs';
import { PACKAGE_ROOT } from '../paths';
import { describeFileSystemError, WriteFailure, WriteRefusal } from '../write/errors';
import { checkCommand } from './commands/check';
import { commentCommand } from './commands/comment';
import { diffCommand } from './commands/diff';
import { exportCommand } from './commands/export';
import { generateCommand } from './commands/generate';
import { githubCommand } from './commands/github';
import { initCommand } from './commands/init';
import { lintCommand } from './commands/lint';
import { schemaCommand } from './commands/schema';
import { stacksCommand } from './commands/stacks';
import { validateCommand } from './commands/validate';
import { ExitCode, processIo, UsageError, type CliIo } from './io';
import { withReportFormat, withSharedOptions } from './options';

/**
 * Runs the CLI with the given arguments and returns the exit code. Never throws: user mistakes
 * are messages with exit 1 or 2, and anything else is an internal error (exit 70) whose stack
 * trace is printed only with --debug.
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let code: number = ExitCode.ok;
  const exit = (c: number) => {
    code = c;
  };
  const debug = argv.includes('--debug');
  try {
    const parser = withSharedOptions(yargs())
      .scriptName('gantry')
      .usage('$0 <command> [options]\n\nTurns environment.yaml into CloudFormation templates and GitHub Actions workflows.')
      .command(withReportFormat(validateCommand(io, exit)))
      .command(withReportFormat(initCommand(io, exit)))
      .command(withReportFormat(schemaCommand(io, exit)))
      .command(withReportFormat(generateCommand(io, exit)))
      .command(withReportFormat(checkCommand(io, exit)))
      .command(withReportFormat(diffCommand(io, exit)))
      .command(withReportFormat(lintCommand(io, exit)))
      .command(withReportFormat(stacksCommand(io, exit)))
      .command(exportCommand(io, exit))
      .command(withReportFormat(commentCommand(io, exit)))
      .command(withReportFormat(githubCommand(io, exit)))
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
  }
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
