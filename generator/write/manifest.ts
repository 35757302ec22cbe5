import { createHash } from 'node:crypto';
import { WriteRefusal } from './errors';
import { entryProblem } from './safe-paths';

/** The file in the output folder that lists what gantry wrote there. */
export const MANIFEST_FILE = '.gantry-manifest.json';
/** The file in the output folder that lists the workflows gantry wrote. */
export const WORKFLOWS_MANIFEST_FILE = '.gantry-workflows.json';
/** gantry's bookkeeping files in the output folder: never listed, never generated. */
export const JOURNAL_FILE = '.gantry-journal.json';
export const LOCK_FILE = '.gantry.lock';
const RESERVED = new Set([MANIFEST_FILE, WORKFLOWS_MANIFEST_FILE, JOURNAL_FILE, LOCK_FILE]);

/**
 * What gantry generated into a folder, with a hash of each file as written: a file whose hash no
 * longer matches was edited by hand. No timestamps or versions, so the manifest is as
 * deterministic as the files it lists.
 */
export interface Manifest {
  readonly spec: string;
  /** The gantry version that wrote the files (see fingerprint.ts). */
  readonly gantry?: string;
  /** SHA-256 of what the files were generated from (see fingerprint.ts). */
  readonly inputs?: string;
  /** SHA-256 of the build of gantry that wrote them (see fingerprint.ts). */
  readonly build?: string;
  /** Relative path (with /) to the SHA-256 of the content gantry wrote. */
  readonly files: Readonly<Record<string, string>>;
}

export function hashContent(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

export function renderManifest(manifest: Manifest): string {
  const files = Object.fromEntries(Object.entries(manifest.files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const source = manifest.gantry !== undefined && manifest.inputs !== undefined
    ? { gantry: manifest.gantry, inputs: manifest.inputs, ...(manifest.build !== undefined ? { build: manifest.build } : {}) }
    : {};
  return `${JSON.stringify({ generatedBy: 'gantry', spec: manifest.spec, ...source, files }, null, 2)}\n`;
}

/** Why a manifest's text is not a valid manifest, or undefined when it is. */
export function manifestProblem(text: string): string | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return `it is not valid JSON (${(error as Error).message}; truncated?)`;
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return 'it is not a JSON object';
  const record = data as Record<string, unknown>;
  const unknown = Object.keys(record).filter((k) => !['generatedBy', 'spec', 'gantry', 'inputs', 'build', 'files'].includes(k));
  if (unknown.length > 0) return `it has unknown fields (${unknown.join(', ')})`;
  if (record.generatedBy !== 'gantry') return '"generatedBy" is not "gantry"';
  if (typeof record.spec !== 'string') return '"spec" is not a string';
  if (record.gantry !== undefined && typeof record.gantry !== 'string') return '"gantry" is not a version';
  if (record.inputs !== undefined && (typeof record.inputs !== 'string' || !/^[0-9a-f]{64}$/.test(record.inputs))) return '"inputs" is not a SHA-256 hash';
  if (record.build !== undefined && (typeof record.build !== 'string' || !/^[0-9a-f]{64}$/.test(record.build))) return '"build" is not a SHA-256 hash';
  if (!record.files || typeof record.files !== 'object' || Array.isArray(record.files)) return '"files" is not an object';
  for (const [entry, hash] of Object.entries(record.files as Record<string, unknown>)) {
    const problem = entryProblem(entry) ?? (RESERVED.has(entry) ? "names one of gantry's own bookkeeping files" : undefined);
    if (problem) return `the entry ${JSON.stringify(entry)} ${problem}; entries are plain relative paths inside the folder`;
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) return `the entry ${JSON.stringify(entry)} has no SHA-256 hash (64 hex digits)`;
  }
  return undefined;
}

/**
 * Reads a manifest's text: undefined when there is none (gantry then trusts headers alone). A
 * manifest that is not valid (truncated, hand-edited, forged entries) stops gantry before it
 * touches anything: the manifest says which files gantry may overwrite and delete.
 */
export function parseManifest(text: string | undefined, file = MANIFEST_FILE): Manifest | undefined {
  if (text === undefined) return undefined;
  const problem = manifestProblem(text);
  if (problem) {
    throw new WriteRefusal(`${file} is not a valid gantry manifest: ${problem}. It lists the files gantry owns, so gantry stops rather than guess. ` +
      `Restore it (git checkout -- ${file}), or delete it to have gantry recognise its files by their headers alone.`);
  }
  const data = JSON.parse(text) as Manifest;
  return { spec: data.spec, files: data.files, ...(data.gantry !== undefined ? { gantry: data.gantry } : {}), ...(data.inputs !== undefined ? { inputs: data.inputs } : {}), ...(data.build !== undefined ? { build: data.build } : {}) };
}
