import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT, SCHEMA_FILE } from '../paths';

/**
 * The lines `gantry init` puts at the top of a spec so editors complete and check it. The
 * yaml-language-server modeline takes a path relative to the spec, which must hold on every
 * machine that checks the repository out: it does when gantry is installed in the spec's repository
 * (`node_modules/gantry/schemas/…`, found by walking up from the spec as Node resolves packages) or
 * when the spec lives inside gantry's own folder. Run any other way (npx's cache, a global install),
 * gantry's folder is specific to one machine, so the spec gets a note instead of a path.
 */
export function schemaReference(specFile: string): string {
  const specDir = path.dirname(path.resolve(specFile));
  const root = fs.realpathSync(PACKAGE_ROOT);
  const relative = (schema: string) => path.relative(specDir, schema).split(path.sep).join('/');
  for (let dir = specDir; ; dir = path.dirname(dir)) {
    const installed = path.join(dir, 'node_modules', 'gantry');
    if (realpath(installed) === root) return `# yaml-language-server: $schema=${relative(path.join(installed, 'schemas', path.basename(SCHEMA_FILE)))}\n`;
    if (path.dirname(dir) === dir) break;
  }
  const inside = path.relative(root, realpath(specDir) ?? specDir);
  if (!inside.startsWith('..') && !path.isAbsolute(inside) && !inside.split(path.sep).includes('node_modules')) {
    return `# yaml-language-server: $schema=${relative(SCHEMA_FILE)}\n`;
  }
  return [
    '# Editor completion: gantry is not installed in this repository, so this spec names no schema. Install it',
    '# here as a devDependency (see its README) and run "gantry init --force" again, or save "gantry schema" to a',
    '# file and add the line: # yaml-language-server: $schema=<that file>',
    '',
  ].join('\n');
}

function realpath(file: string): string | undefined {
  try {
    return fs.realpathSync(file);
  } catch {
    return undefined;
  }
}
