import type { CliIo } from './io';

/**
 * What `gantry validate` prints for one file of the invalid-spec corpus, with its exit code on
 * the first line: the content of `<name>.diagnostics.txt`. Shared by the test and the script
 * that refreshes the expectations, so both run the command the same way.
 */
export async function corpusOutput(run: (argv: readonly string[], io: CliIo) => Promise<number>, dir: string, file: string): Promise<string> {
  let out = '';
  const io: CliIo = { stdout: (t) => { out += t; }, stderr: (t) => { out += t; }, env: {}, cwd: dir, isTty: false };
  const previous = process.cwd();
  process.chdir(dir);
  try {
    const code = await run(['validate', '--spec', file, '--format', 'human'], io);
    return `exit ${code}\n${out}`;
  } finally {
    process.chdir(previous);
  }
}
