import type { Severity } from '../diagnostics';
import type { SpecPath } from '../spec/path';

/**
 * What a rule or the schema adapter reports, before it is positioned: a path and a sentence.
 * The validator turns findings into diagnostics (adds the file, the position and the path prefix).
 */
export interface Finding {
  readonly code: string;
  readonly severity: Severity;
  /**
   * Document space (`environments.prod.regions[1]`) when `environment` is unset; otherwise the
   * space of that environment's merged spec (`tiers.web.capacity.min`), which the validator maps
   * back to the override or top-level line that wrote it.
   */
  readonly path: SpecPath;
  readonly environment?: string;
  /** The {why} after "path: ", e.g. "must be <= capacity.max (2)". */
  readonly message: string;
  readonly hint?: string;
  /**
   * Other values the problem depends on (in the same space as `path`): when one of them was
   * written by the environment's overrides and `path` was not, the diagnostic points at the
   * override, which is what made the difference.
   */
  readonly related?: readonly SpecPath[];
  /**
   * The text the problem is about, as it appears inside the value or key at `path` (a secret, an
   * invisible character): the diagnostic then points at its own column when the file spells it
   * out literally. It is never printed.
   */
  readonly needle?: string;
  /**
   * A secret this finding found, and the redacted form to print instead: the validator scrubs it
   * from every diagnostic (another rule or the schema may quote the same key or value).
   */
  readonly secret?: { readonly text: string; readonly redacted: string };
}

export function error(code: string, path: SpecPath, message: string, hint?: string, environment?: string, related?: readonly SpecPath[]): Finding {
  return { code, severity: 'error', path, message, hint, environment, related };
}

export function warning(code: string, path: SpecPath, message: string, hint?: string, environment?: string): Finding {
  return { code, severity: 'warning', path, message, hint, environment };
}
