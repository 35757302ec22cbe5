import { createHash } from 'node:crypto';

/** The file in the output folder that lists what gantry wrote there. */
export const MANIFEST_FILE = '.gantry-manifest.json';
/** The file in the output folder that lists the workflows gantry wrote. */
export const WORKFLOWS_MANIFEST_FILE = '.gantry-workflows.json';

/**
 * What gantry generated into a folder, with a hash of each file as written: a file whose hash no
 * longer matches was edited by hand. No timestamps or versions, so the manifest is as
 * deterministic as the files it lists.
 */
export interface Manifest {
  readonly spec: string;
  /** Relative path (with /) to the SHA-256 of the content gantry wrote. */
  readonly files: Readonly<Record<string, string>>;
}

export function hashContent(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

export function renderManifest(manifest: Manifest): string {
  const files = Object.fromEntries(Object.entries(manifest.files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify({ generatedBy: 'gantry', spec: manifest.spec, files }, null, 2)}\n`;
}

/** Reads a manifest's text; undefined when it is not one (gantry then trusts headers alone). */
export function parseManifest(text: string | undefined): Manifest | undefined {
  if (text === undefined) return undefined;
  try {
    const data = JSON.parse(text) as { generatedBy?: unknown; spec?: unknown; files?: unknown };
    if (data.generatedBy !== 'gantry' || typeof data.files !== 'object' || data.files === null) return undefined;
    const files: Record<string, string> = {};
    for (const [file, hash] of Object.entries(data.files)) if (typeof hash === 'string') files[file] = hash;
    return { spec: typeof data.spec === 'string' ? data.spec : '', files };
  } catch {
    return undefined;
  }
}
