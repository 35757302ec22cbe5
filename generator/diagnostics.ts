import type { SpecPath } from './spec/path';

/** How bad a finding is: errors make the spec invalid (exit 1), warnings are shown but allowed. */
export type Severity = 'error' | 'warning';

/** A 1-based position in a file. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * A problem in the user's input. User mistakes are data, never exceptions.
 *
 * Codes: `GNT0xx` loading, `GNT1xx` schema, `GNT2xx` semantic rules, `GNT3xx` build. Never reused.
 */
export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  /** `{what}: {why}`, starting with the quoted field path where there is one. */
  readonly message: string;
  /** The file as the user named it (relative paths stay relative). */
  readonly file: string;
  /** Where in the document; empty for problems with the file as a whole. */
  readonly path: SpecPath;
  readonly position: Position;
  /** What to write instead: a did-you-mean, the allowed values, where a secret belongs. */
  readonly hint?: string;
}

const START: Position = { line: 1, column: 1 };

/** A diagnostic for the file as a whole (unreadable, too large, not YAML). */
export function fileDiagnostic(
  file: string,
  code: string,
  message: string,
  options: { position?: Position; hint?: string } = {},
): Diagnostic {
  return { code, severity: 'error', message, file, path: [], position: options.position ?? START, hint: options.hint };
}

/** Sorts by file, line, column, code, then message, so output never depends on rule order. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      compare(a.file, b.file) ||
      a.position.line - b.position.line ||
      a.position.column - b.position.column ||
      compare(a.code, b.code) ||
      compare(a.message, b.message),
  );
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
