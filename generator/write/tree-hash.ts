import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Feeds every file under `root` whose name `include` accepts into `hash`, by relative path (with
 * /) and content, in sorted order: the same tree gives the same hash on every machine.
 */
export function hashTree(hash: Hash, root: string, include: (name: string) => boolean): Hash {
  const walk = (dir: string, prefix: string): void => {
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const relative = `${prefix}${entry.name}`;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), `${relative}/`);
      else if (entry.isFile() && include(entry.name)) hash.update(`${relative}\0`).update(fs.readFileSync(path.join(dir, entry.name))).update('\0');
    }
  };
  if (fs.existsSync(root)) walk(root, '');
  return hash;
}

/** SHA-256 (hex) of a tree's files, as hashTree feeds them. */
export function treeHash(root: string, include: (name: string) => boolean): string {
  return hashTree(createHash('sha256'), root, include).digest('hex');
}
