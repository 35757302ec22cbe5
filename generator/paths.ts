import path from 'node:path';

/**
 * The package's root folder, which holds schemas/ and examples/. This file compiles to
 * dist/paths.js, so the root is one level up both from the source and from the build.
 */
export const PACKAGE_ROOT = path.resolve(__dirname, '..');

export const SCHEMA_FILE = path.join(PACKAGE_ROOT, 'schemas', 'environment.schema.json');
export const EXAMPLES_DIR = path.join(PACKAGE_ROOT, 'examples');
