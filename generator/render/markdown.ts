/**
 * Escaping for the Markdown gantry writes (the generated README, the pull-request comment): text
 * from the spec, the command line or AWS is shown as written and can never open a code fence,
 * a heading, a link, raw HTML or an HTML comment that swallows the rest of the page.
 * @see https://spec.commonmark.org/0.31.2/#backslash-escapes (any ASCII punctuation may be escaped)
 */

/** Unicode's bidirectional formatting characters; validation rejects them, rendering drops them too. */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
/** Other invisible controls that have no place in a rendered line (C0/C1 except tab, newline). */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/gu;

/** Text without invisible direction overrides and control characters. */
export function plainText(text: string): string {
  return text.replace(BIDI_CONTROLS, '').replace(CONTROLS, '');
}

/**
 * Free text as Markdown paragraphs: blank lines separate paragraphs, other line breaks become
 * spaces, and every character Markdown or HTML would act on is escaped.
 */
export function markdownParagraphs(text: string): string {
  return plainText(text)
    .split(/\r?\n[ \t]*(?:\r?\n[ \t]*)+/)
    .map((paragraph) => markdownInline(paragraph.replace(/\s*\r?\n\s*/g, ' ').trim()))
    .filter((paragraph) => paragraph !== '')
    .join('\n\n');
}

/**
 * Text inside one line of Markdown (a paragraph, a table cell, a list item): inline syntax, raw
 * HTML and entities escaped; a marker at the start (heading, quote, list) neutralised.
 */
export function markdownInline(text: string): string {
  const escaped = plainText(text)
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_[\]<>&|~!{}]/g, (c) => `\\${c}`);
  // Block markers only count at the start of a line: "# x", "> x", "- x", "+ x", "1. x", "1) x".
  return escaped.replace(/^(\s*)([#>+-]|\d+(?=[.)]))/, (_m, space: string, marker: string) => (/^\d/.test(marker) ? `${space}${marker}\\` : `${space}\\${marker}`));
}

/** Text as inline code: a backtick run longer than any inside it, so nothing can close it early. */
export function markdownCode(text: string): string {
  const clean = plainText(text).replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...[...clean.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** A fenced code block whose fence is longer than any backtick run of its lines. */
export function markdownFence(info: string, lines: readonly string[]): string[] {
  const clean = lines.map(plainText);
  const longest = Math.max(0, ...clean.flatMap((line) => [...line.matchAll(/`{3,}/g)].map((m) => m[0].length)));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${info}`, ...clean, fence];
}

/**
 * Text inside a quoted Mermaid label (`a["…"]`, `-- "…" -->`): the quote that would end the label,
 * and the characters Mermaid or its HTML labels act on, as Mermaid entity codes.
 * @see https://mermaid.js.org/syntax/flowchart.html#entity-codes-to-escape-characters
 */
export function mermaidLabel(text: string): string {
  const entities: Record<string, string> = { '"': '#quot;', '#': '#35;', '<': '#lt;', '>': '#gt;', '&': '#amp;', '`': '#96;' };
  return plainText(text).replace(/\r?\n/g, ' ').replace(/["#<>&`]/g, (c) => entities[c] as string);
}
