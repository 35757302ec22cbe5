import fs from 'node:fs';
import {
  constructFromEvents,
  EVENT_ID,
  getScalarValue,
  parseEvents,
  SCALAR_STYLE,
  YAMLException,
  type Event,
  type ScalarEvent,
} from 'js-yaml';
import { fileDiagnostic, type Diagnostic, type Position } from '../diagnostics';
import { LineIndex, type NodePosition, type PositionMap } from './locate';
import { isPlainObject, pathKey } from './path';

/** A spec file read and parsed, with the position of every node. */
export interface LoadedSpec {
  /** The file as the user named it. */
  readonly file: string;
  readonly text: string;
  /** The parsed document: a plain mapping (checked), otherwise untyped until validation. */
  readonly data: Record<string, unknown>;
  readonly positions: PositionMap;
}

export type LoadResult =
  | { readonly ok: true; readonly spec: LoadedSpec }
  | { readonly ok: false; readonly diagnostics: Diagnostic[]; readonly unreadable: boolean };

/** A spec is a page of YAML; anything this large is a mistake or an attack. */
export const MAX_SPEC_BYTES = 1024 * 1024;
/** Anchors and aliases have honest uses (sharing a tier's settings), but not hundreds of them. */
export const MAX_ALIASES = 100;
/** Nodes after expanding aliases: caps "billion laughs" documents that are small on disk. */
export const MAX_EXPANDED_NODES = 100_000;

/** The only tags a spec may use: YAML's core ones. CloudFormation's `!Ref` and friends belong in templates. */
const CORE_TAGS = new Set(['!!str', '!!int', '!!float', '!!bool', '!!null', '!!map', '!!seq']);

/**
 * Reads and parses a spec file. Never throws for bad input: every problem with the file is a
 * diagnostic. `unreadable` tells the CLI to exit 2 (the file could not be read at all) rather
 * than 1 (the file was read and is invalid).
 */
export function loadSpecFile(file: string): LoadResult {
  let bytes: Buffer;
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) return unreadable(file, `cannot read the spec: ${file} is a directory`);
    if (stat.size > MAX_SPEC_BYTES) {
      return invalid(file, 'GNT002', `the spec is ${stat.size} bytes; gantry reads specs of at most 1 MiB (${MAX_SPEC_BYTES} bytes)`);
    }
    bytes = fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return unreadable(file, `cannot read the spec: ${file} does not exist`, 'create one with "gantry init", or name another file with --spec');
    }
    if (code === 'EACCES' || code === 'EPERM') return unreadable(file, `cannot read the spec: permission denied for ${file}`);
    return unreadable(file, `cannot read the spec: ${(error as Error).message}`);
  }
  return loadSpecText(file, bytes);
}

/** Parses spec bytes already in memory; `file` is used for messages only. */
export function loadSpecText(file: string, bytes: Buffer): LoadResult {
  if (bytes.length > MAX_SPEC_BYTES) {
    return invalid(file, 'GNT002', `the spec is ${bytes.length} bytes; gantry reads specs of at most 1 MiB (${MAX_SPEC_BYTES} bytes)`);
  }
  const text = decodeUtf8(file, bytes);
  if (typeof text !== 'string') return text;
  if (/^\s*$/.test(text.replace(/^\s*#.*$/gm, ''))) {
    return invalid(file, 'GNT004', 'the spec is empty', { hint: 'start from an example with "gantry init"' });
  }

  const lines = new LineIndex(text);
  let events: Event[];
  try {
    events = parseEvents(text, { filename: file, maxDepth: 64 });
  } catch (error) {
    return yamlError(file, error, lines);
  }

  const walked = walkEvents(file, text, events, lines);
  if (walked.diagnostics.length > 0) return { ok: false, diagnostics: walked.diagnostics, unreadable: false };

  let data: unknown;
  try {
    [data] = constructFromEvents(events, { source: text, filename: file, maxAliases: MAX_ALIASES });
  } catch (error) {
    return yamlError(file, error, lines);
  }
  if (!isPlainObject(data)) {
    const found = data === null ? 'nothing' : Array.isArray(data) ? 'a list' : `a single value (${JSON.stringify(data)})`;
    return invalid(file, 'GNT008', `the spec must be a mapping of fields (version, project, tiers, ...), but its top level is ${found}`, {
      position: walked.positions.get(pathKey([]))?.value,
    });
  }
  return { ok: true, spec: { file, text, data, positions: walked.positions } };
}

function decodeUtf8(file: string, bytes: Buffer): string | LoadResult {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return invalid(file, 'GNT003', 'the spec is encoded as UTF-16; gantry reads UTF-8', { hint: 'save the file as UTF-8' });
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    return invalid(file, 'GNT003', `the spec is a binary file (a NUL byte at offset ${nul}), not YAML text`);
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return invalid(file, 'GNT003', 'the spec is not valid UTF-8 text', { hint: 'save the file as UTF-8' });
  }
}

interface Frame {
  readonly kind: 'mapping' | 'sequence';
  readonly path: (string | number)[];
  /** Next item index (sequences) or entry count times two (mappings: key, value, key, ...). */
  count: number;
  pendingKey?: { key: string; position: Position };
  readonly keys: Map<string, Position>;
  /** Inside a complex (non-scalar) key: positions are not recorded. */
  readonly ignored: boolean;
  /** Nodes beneath, with aliases expanded. */
  size: number;
  readonly anchor?: string;
}

/**
 * One pass over the parser's events: records the position of every path, and finds duplicate keys
 * (reporting both lines), foreign tags, and alias expansion beyond the caps.
 */
function walkEvents(file: string, text: string, events: Event[], lines: LineIndex) {
  const positions = new Map<string, NodePosition>();
  const diagnostics: Diagnostic[] = [];
  const stack: Frame[] = [];
  const anchorSizes = new Map<string, number>();
  let documents = 0;
  let aliases = 0;
  let expanded = 0;
  let lastPosition: Position = { line: 1, column: 1 };

  const anchorName = (start: number, end: number) => (start >= 0 ? text.slice(start, end) : undefined);

  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) {
      documents++;
      continue;
    }
    if (event.type === EVENT_ID.POP) {
      const frame = stack.pop();
      if (frame) finishNode(frame.size, frame.anchor, true);
      continue;
    }

    // A node: where is it, what is its path, does it start a collection?
    const start = nodeStart(event);
    const parent = stack[stack.length - 1];
    // An empty value (`key:` with nothing after) has no offset of its own: place it at its key.
    const position = start >= 0 ? lines.position(start) : (parent?.pendingKey?.position ?? lastPosition);
    lastPosition = position;
    let path: (string | number)[] | undefined = parent ? undefined : [];
    let ignored = parent?.ignored ?? false;
    let keyPosition: Position | undefined;

    if (parent?.kind === 'sequence') {
      path = [...parent.path, parent.count++];
    } else if (parent?.kind === 'mapping') {
      const isKey = parent.count % 2 === 0;
      parent.count++;
      if (isKey) {
        if (event.type === EVENT_ID.SCALAR) {
          const key = getScalarValue(text, event);
          const firstSeen = parent.keys.get(key);
          if (firstSeen && !ignored) {
            diagnostics.push(
              fileDiagnostic(file, 'GNT006', `duplicate key "${key}": it is written on line ${firstSeen.line} and again on line ${position.line}`, {
                position,
                hint: 'keep one of them; YAML would silently use the last',
              }),
            );
          } else parent.keys.set(key, position);
          parent.pendingKey = { key, position };
          ignored = true; // the key itself has no path of its own
        } else {
          parent.pendingKey = undefined;
          ignored = true;
          if (!parent.ignored) {
            diagnostics.push(fileDiagnostic(file, 'GNT005', 'not valid YAML for a spec: a mapping key must be a plain value, not a list or mapping', { position }));
          }
        }
      } else if (parent.pendingKey) {
        path = [...parent.path, parent.pendingKey.key];
        keyPosition = parent.pendingKey.position;
      } else ignored = true;
    }

    if (path && !ignored) {
      const raw = event.type === EVENT_ID.SCALAR && event.style === SCALAR_STYLE.PLAIN && event.valueStart >= 0
        ? text.slice(event.valueStart, event.valueEnd)
        : undefined;
      positions.set(pathKey(path), { key: keyPosition, value: position, raw });
    }

    if (event.type !== EVENT_ID.ALIAS && event.tagStart >= 0) {
      const tag = text.slice(event.tagStart, event.tagEnd);
      if (!CORE_TAGS.has(tag)) {
        diagnostics.push(
          fileDiagnostic(file, 'GNT010', `unsupported YAML tag ${tag}: a spec holds plain values only`, {
            position: lines.position(event.tagStart),
            hint: tag.startsWith('!') && /^!(Ref|Sub|GetAtt|If|Join|Select|ImportValue)$/.test(tag) ? 'CloudFormation intrinsics belong in templates; gantry writes them for you' : 'remove the tag',
          }),
        );
      }
    }

    if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) {
      expanded++;
      stack.push({
        kind: event.type === EVENT_ID.MAPPING ? 'mapping' : 'sequence',
        path: path ?? [],
        count: 0,
        keys: new Map(),
        ignored,
        size: 1,
        anchor: anchorName(event.anchorStart, event.anchorEnd),
      });
    } else if (event.type === EVENT_ID.ALIAS) {
      aliases++;
      finishNode(anchorSizes.get(text.slice(event.anchorStart, event.anchorEnd)) ?? 1, undefined);
    } else {
      finishNode(1, anchorName(event.anchorStart, event.anchorEnd));
    }

    if (aliases > MAX_ALIASES || expanded > MAX_EXPANDED_NODES) {
      diagnostics.push(
        fileDiagnostic(file, 'GNT007', aliases > MAX_ALIASES
          ? `the spec uses more than ${MAX_ALIASES} YAML aliases (*name); gantry refuses it as a possible alias bomb`
          : `the spec's YAML aliases expand to more than ${MAX_EXPANDED_NODES} nodes; gantry refuses it as a possible alias bomb`, {
          position,
          hint: 'write the values out, or share settings through the top-level sections and environment overrides',
        }),
      );
      return { positions, diagnostics };
    }
  }

  if (documents > 1) {
    diagnostics.push(fileDiagnostic(file, 'GNT009', `the spec holds ${documents} YAML documents (separated by "---"); gantry reads exactly one`));
  }
  return { positions, diagnostics };

  /** Counts a finished node (and, for an alias, everything it repeats) towards the caps. */
  function finishNode(size: number, anchor: string | undefined, counted = false) {
    if (anchor !== undefined) anchorSizes.set(anchor, size);
    if (!counted) expanded += size;
    const parent = stack[stack.length - 1];
    if (parent) parent.size += size;
  }
}

/** The offset where a node's text begins: its anchor or tag if it has one, else its value. */
function nodeStart(event: Exclude<Event, { type: 1 | 6 }>): number {
  if (event.type === EVENT_ID.ALIAS) return event.anchorStart - 1; // the '*'
  const anchor = event.anchorStart >= 0 ? event.anchorStart - 1 : Infinity; // the '&'
  const tag = event.tagStart >= 0 ? event.tagStart : Infinity;
  let value = event.type === EVENT_ID.SCALAR ? scalarStart(event) : event.start;
  if (value < 0) value = Infinity;
  const start = Math.min(anchor, tag, value);
  return start === Infinity ? -1 : start;
}

function scalarStart(event: ScalarEvent): number {
  if (event.valueStart < 0) return -1;
  const quoted = event.style === SCALAR_STYLE.SINGLE_QUOTED || event.style === SCALAR_STYLE.DOUBLE_QUOTED;
  return quoted ? event.valueStart - 1 : event.valueStart;
}

function yamlError(file: string, error: unknown, lines: LineIndex): LoadResult {
  if (error instanceof YAMLException) {
    const mark = error.mark;
    const position = mark && typeof mark.position === 'number' ? lines.position(mark.position) : undefined;
    return invalid(file, 'GNT005', `not valid YAML: ${error.reason}`, { position });
  }
  return invalid(file, 'GNT005', `not valid YAML: ${(error as Error)?.message ?? String(error)}`);
}

function invalid(file: string, code: string, message: string, options: { position?: Position; hint?: string } = {}): LoadResult {
  return { ok: false, diagnostics: [fileDiagnostic(file, code, message, options)], unreadable: false };
}

function unreadable(file: string, message: string, hint?: string): LoadResult {
  return { ok: false, diagnostics: [fileDiagnostic(file, 'GNT001', message, { hint })], unreadable: true };
}
