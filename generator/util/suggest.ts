import { distance } from 'fastest-levenshtein';

/**
 * The closest of `candidates` to a mistyped `word`, for "did you mean" hints; undefined when
 * nothing is close enough to be a plausible typo (1 edit for words of up to 3 letters, 2 up to 6,
 * else 3).
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    if (candidate.toLowerCase() === lower) return candidate; // only the case differs
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  // Short words tolerate one or two edits (a transposition such as prot/port is two).
  const limit = word.length <= 3 ? 1 : word.length <= 6 ? 2 : 3;
  return bestDistance <= limit ? best : undefined;
}

/** `did you mean "x"?`, or undefined when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const match = closest(word, candidates);
  return match === undefined ? undefined : `did you mean "${match}"?`;
}

/** Joins hint parts that exist with "; ". */
export function joinHints(...parts: (string | undefined)[]): string | undefined {
  const present = parts.filter((p): p is string => !!p);
  return present.length > 0 ? present.join('; ') : undefined;
}

/** `a, b and c` for lists in sentences. */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
