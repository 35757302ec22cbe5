import fs from 'node:fs';
import path from 'node:path';

/**
 * Creates a folder and any missing parents, like `fs.mkdirSync(dir, { recursive: true })`.
 * NOTE: Node's recursive mkdir never returns on a file system that answers ENOENT for a folder
 * whose parent exists (procfs: `gantry generate --out /proc/x` spun at full CPU for half an hour);
 * it retries the parent, which exists, and then the folder again. Here each missing folder is made
 * once, top down, and the first refusal is thrown (ENOENT, EACCES, EROFS, or EEXIST for a file in
 * the way), for the writer to report with its path.
 */
export function makeDirectories(dir: string): void {
  const missing: string[] = [];
  let current = path.resolve(dir);
  while (kindOf(current) === 'missing' && path.dirname(current) !== current) {
    missing.unshift(current);
    current = path.dirname(current);
  }
  // A file where the folder should be: mkdir's own error (EEXIST) names it.
  if (missing.length === 0 && kindOf(current) === 'other') fs.mkdirSync(current);
  for (const folder of missing) {
    try {
      // A file in the way above fails here with ENOTDIR.
      fs.mkdirSync(folder);
    } catch (error) {
      // Another process may have made it meanwhile; anything else is a refusal.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || kindOf(folder) !== 'folder') throw error;
    }
  }
}

function kindOf(file: string): 'folder' | 'other' | 'missing' {
  try {
    return fs.statSync(file).isDirectory() ? 'folder' : 'other';
  } catch {
    return 'missing';
  }
}
