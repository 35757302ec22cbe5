import type { Diagnostic } from './diagnostics';

/** How diagnostics are printed: for people, for programs, or as GitHub Actions annotations. */
export type ReportFormat = 'human' | 'json' | 'github';

export interface ReportOptions {
  readonly format: ReportFormat;
  /** ANSI colour, for a terminal that is not told NO_COLOR. */
  readonly color: boolean;
}

const COLORS = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1 } as const;

/**
 * Renders diagnostics and a one-line summary. `file:line:col: severity CODE: message`, as
 * compilers print them, so editors and terminals turn them into links.
 */
export function formatReport(file: string, diagnostics: readonly Diagnostic[], options: ReportOptions, summary?: string): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  if (options.format === 'json') {
    return `${JSON.stringify({
      file,
      valid: errors === 0,
      errors,
      warnings,
      diagnostics: diagnostics.map((d) => ({
        file: d.file, line: d.position.line, column: d.position.column, severity: d.severity, code: d.code, message: d.message,
        ...(d.hint ? { hint: d.hint } : {}),
      })),
    }, null, 2)}\n`;
  }
  const paint = (color: keyof typeof COLORS, text: string) => (options.color ? `\u001b[${COLORS[color]}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  for (const d of diagnostics) {
    if (options.format === 'github') {
      const text = d.hint ? `${d.message}\nhint: ${d.hint}` : d.message;
      lines.push(`::${d.severity} file=${property(d.file)},line=${d.position.line},col=${d.position.column},title=${property(d.code)}::${data(text)}`);
    } else {
      const severity = d.severity === 'error' ? paint('red', 'error') : paint('yellow', 'warning');
      lines.push(`${d.file}:${d.position.line}:${d.position.column}: ${severity} ${paint('dim', d.code)}: ${d.message}`);
      if (d.hint) lines.push(`  ${paint('dim', 'hint:')} ${d.hint}`);
    }
  }
  const counts = [plural(errors, 'error'), plural(warnings, 'warning')].filter((c) => !c.startsWith('0 ')).join(', ');
  if (errors > 0) lines.push(paint('red', `✖ ${file}: ${counts}`));
  else lines.push(paint('green', `✔ ${file} is valid${summary ? `: ${summary}` : ''}${warnings > 0 ? ` (${counts})` : ''}`));
  return `${lines.join('\n')}\n`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Workflow-command escaping: https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts */
function data(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function property(text: string): string {
  return data(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
