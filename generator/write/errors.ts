/**
 * What the writer refuses, and how file-system failures read. Both are the user's situation, not
 * a bug in gantry: the CLI prints them without a stack trace and exits 2.
 */

/** gantry stopped before touching anything (a forged manifest, a symbolic link, a foreign folder). */
export class WriteRefusal extends Error {
  override readonly name = 'WriteRefusal';
}

/** A file-system call failed while writing; the message names the path and what to do. */
export class WriteFailure extends Error {
  override readonly name = 'WriteFailure';
}

/** What to do about each file-system error a write can meet. */
const ADVICE: Readonly<Record<string, (file: string) => string>> = {
  EACCES: (f) => `permission denied on ${f}; give your user write access to it and its folder (ls -ld), or choose another folder`,
  EPERM: (f) => `the operating system refused to change ${f} (EPERM); check its permissions and attributes (immutable, owned by another user), or choose another folder`,
  EROFS: (f) => `${f} is on a read-only file system; choose a writable folder`,
  ENOSPC: (f) => `no space left on the device that holds ${f}; free some space and run again`,
  EDQUOT: (f) => `your disk quota is exhausted on the device that holds ${f}; free some space and run again`,
  EISDIR: (f) => `${f} is a folder where gantry expects a file; move it away and run again`,
  ENOTDIR: (f) => `a part of ${f} is a file where gantry expects a folder; move it away and run again`,
  ELOOP: (f) => `${f} goes through too many symbolic links; gantry writes only to real folders`,
  ENAMETOOLONG: (f) => `the path ${f} is too long for the file system; choose a shorter folder`,
  EEXIST: (f) => `${f} already exists; move it away and run again`,
  EBUSY: (f) => `${f} is busy (in use, or a mount point); close what holds it and run again`,
  EMFILE: (f) => `too many open files while writing ${f}; raise the limit (ulimit -n) and run again`,
  ENFILE: (f) => `the system ran out of file handles while writing ${f}; run again later`,
  EXDEV: (f) => `${f} lies on another file system than its folder's other files; gantry renames within one file system`,
  EIO: (f) => `an input/output error on ${f}; check the disk`,
  ENOENT: (f) => `${f} does not exist (it disappeared while gantry ran?); run again`,
};

/**
 * The message for a file-system error (an error with one of the codes above), or undefined
 * when it is not one.
 */
export function describeFileSystemError(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException | undefined;
  if (!e || typeof e !== 'object' || typeof e.code !== 'string' || typeof e.syscall !== 'string') return undefined;
  // A folder whose parent exists (makeDirectories makes parents first) cannot be made there at all.
  const advice = e.code === 'ENOENT' && e.syscall === 'mkdir'
    ? (f: string) => `the file system refuses a folder at ${f} (a virtual one, such as /proc?); choose another folder`
    : ADVICE[e.code];
  if (!advice) return undefined;
  return `${advice(e.path ?? (e as { dest?: string }).dest ?? 'a file')} (${e.code}, ${e.syscall})`;
}

/** True for file-system errors the writer explains (and rolls back from) rather than calls bugs. */
export function isFileSystemError(error: unknown): boolean {
  return describeFileSystemError(error) !== undefined;
}
