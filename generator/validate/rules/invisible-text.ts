import type { SpecPath } from '../../spec/path';
import { error, type Finding } from '../finding';
import type { Rule } from '../rule';
import { walkStrings } from './walk-strings';

/**
 * Unicode's bidirectional formatting characters: invisible, they reorder how the text around them
 * is displayed, so a reviewer reads something other than what gantry writes into templates and the
 * README ("Trojan Source", CVE-2021-42574). No field of a spec needs them.
 * @see https://www.unicode.org/reports/tr9/#Explicit_Directional_Embeddings
 */
const BIDI_CONTROLS: ReadonlyMap<number, string> = new Map([
  [0x061c, 'ARABIC LETTER MARK'],
  [0x200e, 'LEFT-TO-RIGHT MARK'],
  [0x200f, 'RIGHT-TO-LEFT MARK'],
  [0x202a, 'LEFT-TO-RIGHT EMBEDDING'],
  [0x202b, 'RIGHT-TO-LEFT EMBEDDING'],
  [0x202c, 'POP DIRECTIONAL FORMATTING'],
  [0x202d, 'LEFT-TO-RIGHT OVERRIDE'],
  [0x202e, 'RIGHT-TO-LEFT OVERRIDE'],
  [0x2066, 'LEFT-TO-RIGHT ISOLATE'],
  [0x2067, 'RIGHT-TO-LEFT ISOLATE'],
  [0x2068, 'FIRST STRONG ISOLATE'],
  [0x2069, 'POP DIRECTIONAL ISOLATE'],
]);

export const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** The first bidirectional control character of a text, named as Unicode names it. */
export function findBidiControl(text: string): { char: string; name: string } | undefined {
  const char = BIDI_CONTROL.exec(text)?.[0];
  if (char === undefined) return undefined;
  const code = char.codePointAt(0) as number;
  return { char, name: `U+${code.toString(16).toUpperCase().padStart(4, '0')} ${BIDI_CONTROLS.get(code) ?? ''}`.trim() };
}

/** No bidirectional control characters in any key or value of the spec. */
export const invisibleTextRule: Rule = ({ document }) => {
  const findings: Finding[] = [];
  const visit = (text: string, path: SpecPath, isKey: boolean) => {
    const found = findBidiControl(text);
    if (!found) return;
    findings.push({
      ...error('GNT240', isKey ? path.slice(0, -1) : path, `${isKey ? 'a key holds' : 'holds'} an invisible bidirectional control character (${found.name}): it makes the text display differently from what it says`,
        'delete it (an editor that shows invisible characters helps, e.g. VS Code\'s "editor.unicodeHighlight"); write right-to-left text without direction overrides'),
      needle: found.char,
    });
  };
  walkStrings(document, visit);
  return findings;
};
