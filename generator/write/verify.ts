import path from 'node:path';
import type { Provenance } from './fingerprint';
import { hashContent, parseManifest } from './manifest';
import { refuseSymlinks } from './safe-paths';
import { readTarget } from './transaction';

/** A folder and the manifest of what gantry wrote there. */
export interface ManifestedFolder {
  readonly outDir: string;
  readonly manifestFile: string;
}

/**
 * `check` without building: when every manifest records the same gantry version, build and inputs
 * (spec bytes and folders) as this run, what generate would write is exactly what they list, so each
 * listed file is compared with its recorded hash. Undefined when a manifest is missing or records
 * other inputs (then check builds). A manifest that is not valid stops it (WriteRefusal), as in
 * every command.
 */
export function verifyUnchanged(folders: readonly ManifestedFolder[], expected: Provenance): { drift: string[]; files: number } | undefined {
  const manifests = folders.map((folder) => ({ folder, manifest: parseManifest(readManifest(folder.manifestFile), folder.manifestFile) }));
  // A manifest without a build (the committed examples', or an older gantry's) is never trusted.
  if (expected.build === undefined) return undefined;
  if (manifests.some(({ manifest }) => manifest?.gantry !== expected.gantry || manifest?.inputs !== expected.inputs || manifest?.build !== expected.build)) return undefined;
  const drift: string[] = [];
  let files = 0;
  for (const { folder, manifest } of manifests) {
    for (const [entry, hash] of Object.entries(manifest!.files).sort(([a], [b]) => (a < b ? -1 : 1))) {
      files += 1;
      refuseSymlinks(folder.outDir, entry);
      const file = path.join(folder.outDir, entry);
      const text = readTarget(file);
      if (text === undefined) drift.push(`${file}: missing`);
      else if (hashContent(text) !== hash) drift.push(`${file}: edited by hand`);
    }
  }
  return { drift, files };
}

function readManifest(file: string): string | undefined {
  refuseSymlinks(path.dirname(file), path.basename(file));
  return readTarget(file);
}
