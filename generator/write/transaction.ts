import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeDirectories } from './directories';
import { describeFileSystemError, isFileSystemError, WriteFailure, WriteRefusal } from './errors';
import { JOURNAL_FILE, LOCK_FILE } from './manifest';
import { BACKUP_SUFFIX, isInside, refuseSymlinks, STAGE_SUFFIX } from './safe-paths';

/**
 * Whole-tree atomicity: a run leaves either the previous tree or the new one, whatever stops it
 * (kill -9, a full disk, a permission failure halfway).
 *
 * 1. A journal (state "staging") lists every file the run will write or remove, before anything
 *    is touched.
 * 2. Each new file is staged beside its target (`.<name>.gantry-new`, same folder, hence the
 *    same file system, so the rename below is atomic); each file it replaces or removes gets a
 *    hard link beside it (`.<name>.gantry-old`) to roll back to.
 * 3. The journal turns "committed": from here a crash is completed, not undone.
 * 4. The staged files are renamed over their targets and removed files unlinked, in the order
 *    given (the manifests last); then the backups and the journal go.
 *
 * A run that finds a journal (a crashed run) first completes it ("committed") or rolls it back
 * ("staging", "rolling-back"). A lock file beside the journal excludes concurrent runs.
 */

/** One change to a file in a folder gantry owns. */
export interface FileOp {
  /** The folder the path is relative to. */
  readonly root: string;
  /** Relative to root, with /; already validated as a manifest entry. */
  readonly path: string;
  readonly action: 'write' | 'remove';
  /** What to write (action write). */
  readonly content?: string;
  /** The file's text when the plan was made (undefined: absent); checked again under the lock. */
  readonly before?: string;
}

type State = 'staging' | 'committed' | 'rolling-back';

interface JournalOp {
  readonly root: number;
  readonly path: string;
  readonly action: 'write' | 'remove';
  /** Whether the target existed (and so has a backup). */
  readonly existed: boolean;
}

interface Journal {
  readonly journal: 'gantry';
  readonly version: 1;
  readonly pid: number;
  readonly state: State;
  /** The roots, relative to the journal's folder, with /. */
  readonly roots: readonly string[];
  /** Folders this run creates, parents first: removed again on rollback when empty. */
  readonly dirs: readonly { readonly root: number; readonly path: string }[];
  readonly ops: readonly JournalOp[];
}

/**
 * Test hook: with GANTRY_TEST_CRASH_AFTER_STEP=N the process kills itself (SIGKILL, no clean-up)
 * right after the Nth change to the file system of the write phase, so tests can stop a run at
 * every point deterministically.
 */
let steps = 0;
function step(): void {
  steps += 1;
  const crashAt = Number(process.env.GANTRY_TEST_CRASH_AFTER_STEP);
  if (Number.isInteger(crashAt) && crashAt > 0 && steps === crashAt) process.kill(process.pid, 'SIGKILL');
}

const stagePath = (file: string) => path.join(path.dirname(file), `.${path.basename(file)}${STAGE_SUFFIX}`);
const backupPath = (file: string) => path.join(path.dirname(file), `.${path.basename(file)}${BACKUP_SUFFIX}`);
const slashes = (p: string) => p.split(path.sep).join('/');

/** Writes a file and flushes it to the disk before returning (so a rename of it is durable). */
function writeDurable(file: string, content: string, flag: 'wx' | 'w'): void {
  const fd = fs.openSync(file, flag, content.startsWith('#!') ? 0o755 : 0o644);
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function exists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function unlinkIfExists(file: string): void {
  try {
    fs.unlinkSync(file);
    step();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// The lock

interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<home>/.gantry.lock` or refuses, naming its holder. The lock is created whole (written
 * beside, then hard-linked into place, which fails when it exists), so it is never empty. A lock
 * whose holder is no longer running on this host is stale: a killed run left it, and it is taken
 * over. (A lock from another host is never judged: its pid means nothing here.)
 */
function acquireLock(home: string): () => void {
  const lockFile = path.join(home, LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
  const temp = path.join(home, `${LOCK_FILE}.${process.pid}.tmp`);
  fs.writeFileSync(temp, `${JSON.stringify(mine)}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(temp, lockFile);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const text = readText(lockFile);
      if (text === undefined) continue; // released meanwhile
      let holder: Partial<LockHolder> = {};
      try {
        holder = JSON.parse(text) as LockHolder;
      } catch {
        // not gantry's format: reported below
      }
      const stale = holder.host === os.hostname() && typeof holder.pid === 'number' && !alive(holder.pid);
      if (stale && attempt < 3) {
        // Re-read just before removing, so a lock that another run took over meanwhile stays.
        if (readText(lockFile) === text) fs.rmSync(lockFile, { force: true });
        continue;
      }
      throw new WriteRefusal(`${home} is being written by another gantry (pid ${holder.pid ?? '?'} on ${holder.host ?? '?'}, since ${holder.started ?? '?'}); ` +
        `wait for it to finish and run again. If no gantry is running there, delete ${lockFile}.`);
    }
  } finally {
    fs.rmSync(temp, { force: true });
  }
  return () => {
    if (readText(lockFile)?.trim() === JSON.stringify(mine)) fs.rmSync(lockFile, { force: true });
  };
}

// ---------------------------------------------------------------------------------------------
// The journal

function journalFile(home: string): string {
  return path.join(home, JOURNAL_FILE);
}

function writeJournal(home: string, journal: Journal): void {
  const file = journalFile(home);
  const temp = `${file}.${process.pid}.tmp`;
  writeDurable(temp, `${JSON.stringify(journal, null, 2)}\n`, 'w');
  fs.renameSync(temp, file);
  step();
}

function readJournal(home: string): Journal | undefined {
  const text = readText(journalFile(home));
  if (text === undefined) return undefined;
  let journal: Journal;
  try {
    journal = JSON.parse(text) as Journal;
  } catch {
    throw new WriteRefusal(`${journalFile(home)} is not a readable journal; it records an interrupted write, so gantry stops. ` +
      `Restore the folder from git (git checkout -- ${home}), delete the journal, and run again.`);
  }
  const ok = journal.journal === 'gantry' && Array.isArray(journal.roots) && Array.isArray(journal.ops) && Array.isArray(journal.dirs) &&
    ['staging', 'committed', 'rolling-back'].includes(journal.state) &&
    journal.roots.every((r) => typeof r === 'string' && !path.isAbsolute(r)) &&
    [...journal.ops, ...journal.dirs].every((o) => typeof o.path === 'string' && journal.roots[o.root] !== undefined && !o.path.split('/').includes('..') && !o.path.startsWith('/'));
  if (!ok) {
    throw new WriteRefusal(`${journalFile(home)} is not a valid gantry journal; gantry stops rather than guess. ` +
      `Restore the folder from git (git checkout -- ${home}), delete the journal, and run again.`);
  }
  return journal;
}

/** True when a folder holds the journal of an unfinished write (for `check` and `diff`). */
export function hasUnfinishedWrite(home: string): boolean {
  return exists(journalFile(home));
}

/** What `check` and `diff` say about a folder an interrupted `generate` left half-written. */
export function unfinishedWrite(home: string): string | undefined {
  if (!hasUnfinishedWrite(home)) return undefined;
  return `${journalFile(home)}: a write was interrupted (or is running); run "gantry generate" to complete or roll it back`;
}

function target(home: string, journal: Journal, entry: { root: number; path: string }): string {
  return path.join(home, journal.roots[entry.root] as string, entry.path);
}

/** Completes a committed journal: renames what is still staged, removes what is still there. */
function rollForward(home: string, journal: Journal): void {
  for (const op of journal.ops) {
    const file = target(home, journal, op);
    if (op.action === 'write') {
      if (exists(stagePath(file))) {
        fs.renameSync(stagePath(file), file);
        step();
      }
    } else {
      unlinkIfExists(file);
    }
  }
  for (const op of journal.ops) if (op.existed) unlinkIfExists(backupPath(target(home, journal, op)));
  for (const op of journal.ops) {
    if (op.action === 'remove') removeEmptyParents(path.dirname(target(home, journal, op)), path.join(home, journal.roots[op.root] as string));
  }
  unlinkIfExists(journalFile(home));
}

/**
 * Undoes a journal: before the commit only its staged files and backups exist (the targets were
 * never touched); after it, renamed files are put back from their backups and created ones removed.
 */
function rollBack(home: string, journal: Journal): void {
  if (journal.state === 'committed') {
    journal = { ...journal, state: 'rolling-back' };
    writeJournal(home, journal);
  }
  const touched = journal.state === 'rolling-back';
  for (const op of [...journal.ops].reverse()) {
    const file = target(home, journal, op);
    const staged = op.action === 'write' && exists(stagePath(file));
    if (staged || !touched) {
      // Not renamed yet (or never committed): the target is as before.
      if (op.action === 'write') unlinkIfExists(stagePath(file));
      if (op.existed) unlinkIfExists(backupPath(file));
      continue;
    }
    if (op.action === 'remove' && exists(file)) {
      // Not removed yet. (Renaming the backup, a hard link to the same file, over it would do nothing.)
      unlinkIfExists(backupPath(file));
    } else if (op.existed) {
      if (exists(backupPath(file))) {
        fs.renameSync(backupPath(file), file);
        step();
      }
    } else if (op.action === 'write') {
      unlinkIfExists(file);
    }
  }
  for (const dir of [...journal.dirs].reverse()) {
    try {
      fs.rmdirSync(target(home, journal, dir));
      step();
    } catch (error) {
      if (!['ENOENT', 'ENOTEMPTY', 'EEXIST'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    }
  }
  unlinkIfExists(journalFile(home));
}

/** What recovery did with a journal it found. */
export type Recovery = { readonly pid: number; readonly outcome: 'completed' | 'rolled back' };

/** Completes or rolls back the journal a crashed run left in `home`; undefined when there is none. */
export function recoverJournal(home: string): Recovery | undefined {
  const journal = readJournal(home);
  if (!journal) return undefined;
  if (journal.state === 'committed') {
    try {
      rollForward(home, journal);
      return { pid: journal.pid, outcome: 'completed' };
    } catch (error) {
      if (!isFileSystemError(error)) throw error;
      rollBack(home, journal);
      return { pid: journal.pid, outcome: 'rolled back' };
    }
  }
  rollBack(home, journal);
  return { pid: journal.pid, outcome: 'rolled back' };
}

/**
 * Runs `fn` holding the lock of `home` (created if missing), after completing or rolling back
 * any journal a crashed run left there; `fn` gets what recovery did.
 */
export function withWriteLock<T>(home: string, fn: (recovered: Recovery | undefined) => T): T {
  makeDirectories(home);
  const release = acquireLock(home);
  try {
    return fn(recoverJournal(home));
  } finally {
    release();
  }
}

/**
 * Applies file changes as one transaction (see above); call it holding the lock. On a
 * file-system failure the tree is rolled back and a WriteFailure names the path and the fix.
 */
export function commitChanges(home: string, ops: readonly FileOp[]): void {
  const roots = [...new Set(ops.map((op) => op.root))];
  for (const op of ops) {
    if (!isInside(op.root, path.join(op.root, op.path))) throw new Error(`gantry bug: ${op.path} is not inside ${op.root}`);
    // Checked again under the lock: the plan was made before it was taken.
    refuseSymlinks(op.root, op.path);
    if (readTarget(path.join(op.root, op.path)) !== op.before) {
      throw new WriteRefusal(`${path.join(op.root, op.path)} changed while gantry was working; nothing was written. Run again.`);
    }
  }
  // The roots themselves are made outside the journal: an empty folder left by a rollback harms nothing.
  for (const root of roots) makeDirectories(root);
  const dirs: { root: number; path: string }[] = [];
  const seen = new Set<string>();
  for (const op of ops) {
    if (op.action !== 'write') continue;
    const segments = op.path.split('/').slice(0, -1);
    for (let i = 1; i <= segments.length; i++) {
      const dir = segments.slice(0, i).join('/');
      const key = `${op.root}\0${dir}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!exists(path.join(op.root, dir))) dirs.push({ root: roots.indexOf(op.root), path: dir });
    }
  }
  let journal: Journal = {
    journal: 'gantry',
    version: 1,
    pid: process.pid,
    state: 'staging',
    roots: roots.map((r) => slashes(path.relative(home, r)) || '.'),
    dirs,
    ops: ops.map((op) => ({ root: roots.indexOf(op.root), path: op.path, action: op.action, existed: op.before !== undefined })),
  };
  let journalWritten = false;
  try {
    writeJournal(home, journal);
    journalWritten = true;
    for (const dir of dirs) {
      fs.mkdirSync(path.join(roots[dir.root] as string, dir.path));
      step();
    }
    for (const op of ops) {
      const file = path.join(op.root, op.path);
      if (op.action === 'write') {
        writeDurable(stagePath(file), op.content as string, 'wx');
        step();
      }
      if (op.before !== undefined) {
        linkOrCopy(file, backupPath(file));
        step();
      }
    }
    journal = { ...journal, state: 'committed' };
    writeJournal(home, journal);
  } catch (error) {
    if (journalWritten) undo(home, journal, error);
    throw failure(error, 'nothing was changed');
  }
  try {
    rollForward(home, journal);
  } catch (error) {
    undo(home, journal, error);
    throw failure(error, 'the previous files were put back');
  }
}

/** Rolls back after a failure; when that fails too, says the journal will finish it. */
function undo(home: string, journal: Journal, cause: unknown): void {
  try {
    rollBack(home, readJournal(home) ?? journal);
  } catch (error) {
    throw new WriteFailure(`${failure(cause, '').message} Rolling back failed too: ${describeFileSystemError(error) ?? (error as Error).message}. ` +
      `Fix that and run again: gantry finishes the rollback recorded in ${journalFile(home)} first.`);
  }
}

function failure(error: unknown, outcome: string): Error {
  const described = describeFileSystemError(error);
  if (!described) return error as Error;
  return new WriteFailure(`cannot write: ${described}.${outcome ? ` ${outcome[0]!.toUpperCase()}${outcome.slice(1)}.` : ''}`);
}

/** A backup of a file gantry replaces: a hard link (no copy), or a copy where links are not supported. */
function linkOrCopy(file: string, backup: string): void {
  try {
    fs.linkSync(file, backup);
  } catch (error) {
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    fs.copyFileSync(file, backup, fs.constants.COPYFILE_EXCL);
  }
}

/** A target's text, refusing a folder where a file should be. */
export function readTarget(file: string): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  if (stat.isSymbolicLink()) throw new WriteRefusal(`${file} is a symbolic link; gantry never writes or deletes through a link. Replace it with a real file (or remove it), then run again.`);
  if (!stat.isFile()) throw new WriteRefusal(`${file} is not a regular file (a folder?) where gantry keeps a file; move it away, then run again.`);
  return fs.readFileSync(file, 'utf8');
}

/** Removes the folders a removal emptied, up to (never including, never beyond) the root. */
export function removeEmptyParents(dir: string, root: string): void {
  for (let current = path.resolve(dir); isInside(root, current); current = path.dirname(current)) {
    try {
      if (fs.readdirSync(current).length > 0) return;
      fs.rmdirSync(current);
      step();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      if ((error as NodeJS.ErrnoException).code === 'ENOTEMPTY') return;
      throw error;
    }
  }
}
