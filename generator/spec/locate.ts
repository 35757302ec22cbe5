import type { Position } from '../diagnostics';
import { pathKey, type SpecPath } from './path';

/** Where a node sits: the key that names it (for mapping entries) and its value. */
export interface NodePosition {
  readonly key?: Position;
  readonly value: Position;
  /** A plain (unquoted) scalar's text as written: `15.00` where YAML read the number 15. */
  readonly raw?: string;
}

/** Every path of the document that the loader saw, with its position. */
export type PositionMap = ReadonlyMap<string, NodePosition>;

const START: Position = { line: 1, column: 1 };

/**
 * Maps a path to the 1-based position a user should look at: the key of a mapping entry (what
 * they search for), the item itself in a list. A path that does not exist in the file (a default,
 * a missing field) falls back to its nearest existing parent, and finally to 1:1.
 *
 * This is the only place that turns paths into positions.
 */
export function locate(positions: PositionMap, path: SpecPath): Position {
  for (let length = path.length; length >= 0; length--) {
    const found = positions.get(pathKey(path.slice(0, length)));
    if (found) return found.key ?? found.value;
  }
  return START;
}

/** True when the path itself (not just a parent) is written in the file. */
export function isWritten(positions: PositionMap, path: SpecPath): boolean {
  return positions.has(pathKey(path));
}

/**
 * Where a piece of text (a secret, an invisible character) sits inside the node that starts at
 * `position`, when the file spells it out literally: the node ends at the first later line that
 * starts at or left of its column (its next sibling or parent entry). Undefined when the text is not
 * found there, e.g. written with escapes or folded across lines.
 */
export function locateWithin(text: string, lines: LineIndex, position: Position, needle: string): Position | undefined {
  if (needle === '') return undefined;
  const start = lines.offset(position);
  let end = text.length;
  for (let lineStart = text.indexOf('\n', start) + 1; lineStart > 0; lineStart = text.indexOf('\n', lineStart) + 1) {
    const lineEnd = text.indexOf('\n', lineStart);
    const line = text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
    const content = line.trimStart();
    if (content !== '' && !content.startsWith('#') && line.length - content.length <= position.column - 1) {
      end = lineStart;
      break;
    }
  }
  const at = text.indexOf(needle, start);
  return at >= 0 && at + needle.length <= end ? lines.position(at) : undefined;
}

/** Converts 0-based string offsets into 1-based line:column positions. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  position(offset: number): Position {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (this.starts[low] as number) + 1 };
  }

  /** The 0-based offset of a 1-based position (the inverse of `position`). */
  offset(position: Position): number {
    const start = this.starts[Math.min(Math.max(position.line, 1), this.starts.length) - 1] as number;
    return start + Math.max(position.column, 1) - 1;
  }
}
