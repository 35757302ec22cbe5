/** The CLI's world: where it prints, its environment and folder. Tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Where machine-readable output goes (JSON reports, `stacks`, `schema`); stdout when unset. */
  readonly data?: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Whether stdout is a terminal (colour). */
  readonly isTty: boolean;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    isTty: process.stdout.isTTY === true,
  };
}

/** Exit codes, as the README documents them. */
export const ExitCode = {
  ok: 0,
  /** The spec has errors, or `check` found stale files. */
  invalid: 1,
  /** A usage error, or a file that cannot be read at all. */
  usage: 2,
  /** A bug in gantry. */
  internal: 70,
} as const;

/** A user mistake in how the command was called; printed without a stack trace, exit 2. */
export class UsageError extends Error {}
