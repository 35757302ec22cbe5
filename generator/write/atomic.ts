import fs from 'node:fs';
import path from 'node:path';
import { makeDirectories } from './directories';

/**
 * Writes a file atomically: a temporary file beside it, then a rename, so a reader (or an
 * interrupted run) never sees half a file. A script (a file starting with `#!`) is made executable,
 * so the `./deploy.sh` the READMEs show runs as written.
 */
export function writeFileAtomic(file: string, content: string): void {
  const dir = path.dirname(file);
  makeDirectories(dir);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(temp, content, { flag: 'wx', mode: content.startsWith('#!') ? 0o755 : 0o644 });
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
