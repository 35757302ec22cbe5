import fs from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { Artifact } from '../artifact';
import { WriteRefusal } from './errors';
import type { Provenance } from './fingerprint';
import { hasHeader } from './header';
import { hashContent, JOURNAL_FILE, LOCK_FILE, MANIFEST_FILE, parseManifest, renderManifest, WORKFLOWS_MANIFEST_FILE } from './manifest';
import { entryProblem, pathObstacle, refuseSymlinks, refuseSystemFolder } from './safe-paths';
import { commitChanges, readTarget, withWriteLock, type FileOp } from './transaction';

export type ChangeKind = 'create' | 'update' | 'unchanged' | 'remove';

export interface Change {
  readonly kind: ChangeKind;
  /** Relative to the output folder, with /. */
  readonly path: string;
  readonly before?: string;
  readonly after?: string;
  /** For updates: the file on disk is not what gantry last wrote there. */
  readonly editedByHand?: boolean;
}

/** A file gantry would have to overwrite but did not write: it refuses, and says so. */
export interface Conflict {
  readonly path: string;
  readonly reason: string;
}

export interface WritePlan {
  readonly outDir: string;
  readonly changes: readonly Change[];
  readonly conflicts: readonly Conflict[];
  /** Files gantry generated once that a user has since taken over (header removed): left alone. */
  readonly kept: readonly Conflict[];
  /** The manifest's new text, and where it is kept. */
  readonly manifest: string;
  readonly manifestFile: string;
  /** The manifest's text on disk (undefined: none). */
  readonly manifestBefore?: string;
  /** How the manifest on disk differs from the one generate writes (for `check`). */
  readonly manifestDrift: readonly string[];
}

export interface PlanOptions {
  /**
   * Where the manifest is kept. The workflows' manifest lives in the output folder, since every
   * file in .github/workflows is read as a workflow by some tool.
   * @default `<outDir>/.gantry-manifest.json`
   */
  readonly manifestFile?: string;
  /** What the files are generated from, recorded in the manifest (for `check` without building). */
  readonly provenance?: Provenance;
}

/**
 * Whether `file` (a regular file of `size` bytes) holds exactly `content`, compared through two buffers
 * that every comparison reuses: an unchanged file, most of a regenerated tree, is never made a string
 * (at 200 environment-regions that was 23 MB of text read twice, the difference between the peak
 * memory of a fresh tree and of a regenerated one).
 */
function holdsExactly(file: string, size: number, content: string): boolean {
  if (size !== Buffer.byteLength(content)) return false;
  if (comparison.generated.length < size) comparison = { generated: Buffer.allocUnsafe(size), onDisk: Buffer.allocUnsafe(size) };
  const { generated, onDisk } = comparison;
  generated.write(content);
  const fd = fs.openSync(file, 'r');
  try {
    for (let read = 0; read < size;) {
      const got = fs.readSync(fd, onDisk, read, size - read, read);
      if (got === 0) return false; // shorter than its size said: it changed meanwhile
      read += got;
    }
  } finally {
    fs.closeSync(fd);
  }
  return generated.compare(onDisk, 0, size, 0, size) === 0;
}
let comparison = { generated: Buffer.allocUnsafe(1 << 20), onDisk: Buffer.allocUnsafe(1 << 20) };

/**
 * What lies at a target: nothing, a file's text, or something gantry cannot write over; given the
 * text gantry generates for it, `same` when the file holds exactly that (and no text is read).
 */
function lookAt(root: string, relative: string, generated?: string): { text?: string; obstacle?: string; same?: boolean } {
  refuseSymlinks(root, relative);
  const obstacle = pathObstacle(root, relative);
  if (obstacle?.kind === 'file') return { obstacle: `${obstacle.at} is a file where gantry needs a folder; move it away, or choose another folder` };
  const file = path.join(root, relative);
  const stat = fs.lstatSync(file, { throwIfNoEntry: false });
  if (stat && !stat.isFile()) return { obstacle: 'is a folder (or another non-file) where gantry writes a file; move it away, or choose another folder' };
  if (stat && generated !== undefined && holdsExactly(file, stat.size, generated)) return { same: true };
  return { text: readTarget(file) };
}

/**
 * Compares what gantry generates with what is in the output folder. Pure apart from reading:
 * `generate` applies the plan, `check` and `diff` only report it.
 *
 * A file gantry may touch is one its manifest lists or that carries its header; anything else in
 * the folder (a user's notes) is never overwritten or removed. The manifest is checked first:
 * an entry that is not a plain relative path inside the folder, or a symbolic link on the way to
 * any file, stops gantry (WriteRefusal) before it reads what the entry names.
 */
export function planWrite(outDir: string, specFile: string, artifacts: readonly Artifact[], options: PlanOptions = {}): WritePlan {
  const manifestFile = options.manifestFile ?? path.join(outDir, MANIFEST_FILE);
  refuseSymlinks(path.dirname(manifestFile), path.basename(manifestFile));
  const manifestBefore = readTarget(manifestFile);
  const previous = parseManifest(manifestBefore, manifestFile);
  for (const artifact of artifacts) {
    const problem = entryProblem(artifact.path);
    if (problem) throw new Error(`gantry bug: the generated path ${JSON.stringify(artifact.path)} ${problem}`);
  }
  const changes: Change[] = [];
  const conflicts: Conflict[] = [];
  const kept: Conflict[] = [];
  const wanted = new Set(artifacts.map((a) => a.path));

  for (const artifact of artifacts) {
    const { text: before, obstacle, same } = lookAt(outDir, artifact.path, artifact.content);
    if (obstacle) conflicts.push({ path: artifact.path, reason: obstacle });
    // Equal, so the generated text stands for both (a large unchanged tree is not held twice).
    else if (same) changes.push({ kind: 'unchanged', path: artifact.path, before: artifact.content, after: artifact.content });
    else if (before === undefined) changes.push({ kind: 'create', path: artifact.path, after: artifact.content });
    else if (previous?.files[artifact.path] !== undefined || hasHeader(before)) {
      const written = previous?.files[artifact.path];
      changes.push({ kind: 'update', path: artifact.path, before, after: artifact.content, editedByHand: written !== undefined && written !== hashContent(before) });
    } else {
      conflicts.push({ path: artifact.path, reason: 'exists and was not generated by gantry (no header, not in the manifest); move it away, or choose another --out' });
    }
  }
  for (const file of Object.keys(previous?.files ?? {}).sort()) {
    if (wanted.has(file)) continue;
    const { text: before, obstacle } = lookAt(outDir, file);
    if (obstacle?.startsWith('is a folder')) throw new WriteRefusal(`${manifestFile} lists ${file}, but ${path.join(outDir, file)} is a folder; gantry lists only files. Restore the manifest (git checkout -- ${manifestFile}).`);
    if (before === undefined) continue;
    // JSON has no comments, hence no header: the manifest alone says gantry owns it, and an
    // unchanged hash that nobody has taken it over since.
    const owned = hasHeader(before) || (/\.json$/i.test(file) && previous?.files[file] === hashContent(before));
    if (owned) changes.push({ kind: 'remove', path: file, before });
    else kept.push({ path: file, reason: hasHeader(before) || !/\.json$/i.test(file) ? 'gantry generated it once, but it no longer carries the header; left in place' : 'gantry generated it once, but it was edited since; left in place' });
  }
  const manifest = renderManifest({ spec: specFile, ...options.provenance, files: Object.fromEntries(artifacts.map((a) => [a.path, hashContent(a.content)])) });
  return {
    outDir, changes: changes.sort((a, b) => (a.path < b.path ? -1 : 1)), conflicts, kept, manifest, manifestFile, manifestBefore,
    manifestDrift: manifestDrift(manifestFile, manifestBefore, manifest, new Set([
      ...changes.filter((c) => c.kind !== 'unchanged').map((c) => c.path), ...conflicts.map((c) => c.path), ...kept.map((k) => k.path),
    ])),
  };
}

/**
 * How a manifest on disk differs from the one gantry writes (its list, its hashes, its spec),
 * leaving out the files whose own drift already explains it (`explained`): what is left is a
 * manifest that does not describe the tree, such as one a crash or a hand edit left behind.
 */
function manifestDrift(file: string, before: string | undefined, after: string, explained: ReadonlySet<string>): string[] {
  if (before === after) return [];
  if (before === undefined) return [`${file}: missing`];
  const old = parseManifest(before, file) as NonNullable<ReturnType<typeof parseManifest>>;
  const now = parseManifest(after, file) as NonNullable<ReturnType<typeof parseManifest>>;
  const lines: string[] = [];
  const listed = Object.keys(old.files).filter((f) => now.files[f] === undefined && !explained.has(f));
  const unlisted = Object.keys(now.files).filter((f) => old.files[f] === undefined && !explained.has(f));
  const hashes = Object.keys(now.files).filter((f) => old.files[f] !== undefined && old.files[f] !== now.files[f] && !explained.has(f));
  if (unlisted.length > 0) lines.push(`${file}: does not list ${unlisted.join(', ')}`);
  if (listed.length > 0) lines.push(`${file}: lists ${listed.join(', ')}, which generate no longer writes`);
  if (hashes.length > 0) lines.push(`${file}: records other hashes for ${hashes.join(', ')}`);
  if (old.spec !== now.spec) lines.push(`${file}: names the spec ${old.spec}, not ${now.spec}`);

  const rest = Object.keys({ ...old.files, ...now.files }).some((f) => old.files[f] !== now.files[f] && explained.has(f));
  // Another spec text, gantry version or build alone (a comment edited in the spec) is no drift: the
  // files are right, and the next generate records it (until then check builds to compare).
  const canonical = renderManifest({ spec: old.spec, files: old.files, ...(now.gantry !== undefined && now.inputs !== undefined ? { gantry: now.gantry, inputs: now.inputs, build: now.build } : {}) });
  return lines.length > 0 || rest || canonical === after ? lines : [`${file}: not in gantry's canonical form`];
}

/**
 * The file changes of plans as one transaction: new and changed files first, then removals, then
 * the manifests (so a manifest never lists a file that is not yet there).
 */
function operations(plans: readonly WritePlan[]): FileOp[] {
  const writes: FileOp[] = [];
  const removes: FileOp[] = [];
  const manifests: FileOp[] = [];
  for (const plan of plans) {
    if (plan.conflicts.length > 0) throw new Error('gantry bug: applyWrite called with conflicts');
    for (const change of plan.changes) {
      if (change.kind === 'create' || change.kind === 'update') writes.push({ root: plan.outDir, path: change.path, action: 'write', content: change.after, before: change.before });
      if (change.kind === 'remove') removes.push({ root: plan.outDir, path: change.path, action: 'remove', before: change.before });
    }
    if (plan.manifestBefore !== plan.manifest) {
      manifests.push({ root: path.dirname(plan.manifestFile), path: path.basename(plan.manifestFile), action: 'write', content: plan.manifest, before: plan.manifestBefore });
    }
  }
  return [...writes, ...removes, ...manifests];
}

/**
 * Applies plans as one transaction kept in `home` (the output folder): call it holding
 * `withWriteLock(home)`. The tree ends wholly old or wholly new.
 */
export function applyPlans(home: string, plans: readonly WritePlan[]): void {
  const ops = operations(plans);
  if (ops.length > 0) commitChanges(home, ops);
}

/** Applies one plan under the lock of its manifest's folder (for scripts and tests). */
export function applyWrite(plan: WritePlan): void {
  const home = path.dirname(plan.manifestFile);
  withWriteLock(home, () => applyPlans(home, [plan]));
}

/** What `check` reports: every file that is not what `generate` would write. */
export function describeDrift(plan: WritePlan): string[] {
  const lines: string[] = [];
  for (const change of plan.changes) {
    const file = path.join(plan.outDir, change.path);
    if (change.kind === 'create') lines.push(`${file}: missing`);
    if (change.kind === 'update') lines.push(`${file}: ${change.editedByHand ? 'edited by hand' : 'stale'}`);
    if (change.kind === 'remove') lines.push(`${file}: no longer generated (extra)`);
  }
  for (const conflict of plan.conflicts) lines.push(`${path.join(plan.outDir, conflict.path)}: ${conflict.reason}`);
  lines.push(...plan.manifestDrift);
  return lines;
}

export { unfinishedWrite } from './transaction';

/** The unified diff `generate` would apply. */
export function renderDiff(plan: WritePlan): string {
  return plan.changes
    .filter((c) => c.kind !== 'unchanged')
    .map((c) => {
      const file = path.join(plan.outDir, c.path).split(path.sep).join('/');
      return createTwoFilesPatch(c.kind === 'create' ? '/dev/null' : `a/${file}`, c.kind === 'remove' ? '/dev/null' : `b/${file}`, c.before ?? '', c.after ?? '', undefined, undefined, { context: 3 });
    })
    .join('');
}

/** gantry's own files in a folder, which never make it foreign. */
const BOOKKEEPING = new Set([MANIFEST_FILE, WORKFLOWS_MANIFEST_FILE, JOURNAL_FILE, LOCK_FILE]);

export interface FolderGuard {
  /** The option that named the folder, for the message. */
  readonly option: string;
  readonly dir: string;
  readonly artifacts: readonly Artifact[];
  /** Where the folder's manifest is: a folder with one is gantry's. */
  readonly manifestFile: string;
  /** Files a user may keep beside gantry's in a folder gantry does not own yet (their workflows). */
  readonly alsoAllowed?: (name: string) => boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Refuses a folder gantry must not write into, before anything (even its lock) is written there:
 * the file system's root, the home folder, and a folder that already holds files gantry did not
 * write (a repository's root, a source folder), unless it is gantry's (it has gantry's manifest).
 */
export function refuseForeignFolder(guard: FolderGuard): void {
  refuseSystemFolder(guard.dir, guard.option, guard.env);
  if (fs.existsSync(guard.manifestFile)) return;
  const contents = new Map(guard.artifacts.map((a) => [a.path, a.content]));
  const foreign: string[] = [];
  // Breadth first, and bounded: the first few foreign files are enough to refuse, and a folder
  // of many thousand files is no folder gantry generated.
  const queue = [''];
  let visited = 0;
  while (queue.length > 0 && foreign.length < 3) {
    const relative = queue.shift() as string;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(guard.dir, relative), { withFileTypes: true });
    } catch (error) {
      if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) continue;
      throw error;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (foreign.length >= 3) break;
      if (++visited > 10_000) {
        foreign.push(`more than 10,000 files`);
        break;
      }
      const name = relative ? `${relative}/${entry.name}` : entry.name;
      if (BOOKKEEPING.has(entry.name)) continue;
      if (entry.isDirectory() && entry.name !== '.git') queue.push(name);
      else if (!entry.isFile()) foreign.push(name);
      else if (!ownFile(path.join(guard.dir, name), contents.get(name)) && !guard.alsoAllowed?.(name)) foreign.push(name);
    }
  }
  if (foreign.length > 0) {
    throw new WriteRefusal(`${guard.option} ${guard.dir} already holds files gantry did not write (${foreign.join(', ')}${foreign.length >= 3 ? ', …' : ''}) and has no ${path.basename(guard.manifestFile)}; ` +
      `gantry writes only into a new or empty folder, or one it generated before. Choose another ${guard.option}, or move those files away.`);
  }
}

function ownFile(file: string, generated: string | undefined): boolean {
  const text = fs.readFileSync(file, 'utf8');
  return hasHeader(text) || text === generated;
}
