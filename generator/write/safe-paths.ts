import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WriteRefusal } from './errors';

/**
 * The path rules that keep gantry inside its own folders. A manifest is only text (a bad merge or
 * a malicious pull request can put anything in it), so each of its entries is checked as a path
 * before gantry reads, writes or deletes anything it names.
 */

/** Names gantry uses for its own bookkeeping beside the files it writes; never a manifest entry. */
export const STAGE_SUFFIX = '.gantry-new';
export const BACKUP_SUFFIX = '.gantry-old';

/**
 * Why a manifest entry is not a plain relative path inside its folder, or undefined when it is:
 * forward slashes, no `.` or `..` segment, no empty segment, not absolute, no backslash or NUL.
 */
export function entryProblem(entry: string): string | undefined {
  if (entry === '') return 'is empty';
  if (entry.includes('\0')) return 'contains a NUL character';
  if (entry.includes('\\')) return 'contains a backslash (entries are relative paths with /)';
  if (entry.startsWith('/') || /^[A-Za-z]:/.test(entry)) return 'is an absolute path';
  const segments = entry.split('/');
  if (segments.includes('..')) return 'leaves its folder (..)';
  if (segments.some((s) => s === '' || s === '.')) return 'is not a normalised path (empty or "." segment)';
  const name = segments[segments.length - 1] as string;
  if (name.endsWith(STAGE_SUFFIX) || name.endsWith(BACKUP_SUFFIX)) return "names one of gantry's temporary files";
  return undefined;
}

/** True when `target` lies strictly inside `root`, compared as paths (never as string prefixes). */
export function isInside(root: string, target: string): boolean {
  const relative = path.relative(path.resolve(root), path.resolve(target));
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/** What stands in the way of a path below a root: a symbolic link, or a file where a folder should be. */
export type PathObstacle = { readonly kind: 'symlink' | 'file'; readonly at: string };

/**
 * The first component of `root/relative` (below root; root itself is the user's choice) that is
 * a symbolic link, or a non-folder where the path needs a folder; undefined when the path is clear
 * (its missing components are clear too: gantry creates them as real folders).
 */
export function pathObstacle(root: string, relative: string): PathObstacle | undefined {
  const segments = relative.split('/');
  let current = root;
  for (let i = 0; i < segments.length; i++) {
    current = path.join(current, segments[i] as string);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    if (stat.isSymbolicLink()) return { kind: 'symlink', at: current };
    if (i < segments.length - 1 && !stat.isDirectory()) return { kind: 'file', at: current };
  }
  return undefined;
}

/** Throws the refusal for a symbolic link on the way to a file gantry would touch. */
export function refuseSymlinks(root: string, relative: string): void {
  const obstacle = pathObstacle(root, relative);
  if (obstacle?.kind === 'symlink') {
    throw new WriteRefusal(`${obstacle.at} is a symbolic link inside ${root}; gantry never writes or deletes through a link. ` +
      'Replace it with a real folder or file (or remove it), then run again.');
  }
}

/** A path with its symbolic links resolved as far as it exists, the rest appended. */
function realish(dir: string): string {
  const missing: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    try {
      return path.join(fs.realpathSync(current), ...missing.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return path.resolve(dir);
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

/**
 * Refuses a folder no generator should write into: the file system's root and the user's home
 * folder (however they are spelt: `/`, `~`, `..`, a link to them).
 */
export function refuseSystemFolder(dir: string, option: string, env: Readonly<Record<string, string | undefined>> = process.env): void {
  const target = realish(dir);
  if (target === path.parse(target).root) {
    throw new WriteRefusal(`${option} ${dir} is the root of the file system; gantry writes only into a folder of its own (e.g. ${option} output)`);
  }
  const homes = [os.homedir(), env.HOME].filter((h): h is string => typeof h === 'string' && h !== '').map(realish);
  if (homes.includes(target)) {
    throw new WriteRefusal(`${option} ${dir} is your home folder; gantry writes only into a folder of its own (e.g. ${option} output inside your repository)`);
  }
}
