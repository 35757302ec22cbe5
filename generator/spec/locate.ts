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
}
