import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../paths';
import { hashContent } from './manifest';
import { hashTree } from './tree-hash';

/**
 * What a generated tree was made from: gantry's version and a hash of its inputs (the spec's
 * bytes and the paths written into the files), and, when gantry itself wrote it, which build of
 * gantry did (`build`). Stored in the manifests, it lets `check` of an unchanged spec with the
 * same build compare the files with the manifests' hashes instead of building them again (no
 * aws-cdk-lib, no templates).
 */
export interface Provenance {
  readonly gantry: string;
  /** SHA-256 of the spec's bytes, its path and the output and workflows folders as written into the files. */
  readonly inputs: string;
  /** SHA-256 of the code, blueprints and data that generated the files (see buildIdentity). */
  readonly build?: string;
}

export interface Inputs {
  readonly specText: string;
  readonly specFile: string;
  readonly outDir: string;
  readonly workflowsDir: string;
}

/** The file the build writes beside the compiled generator: the SHA-256 of the build (scripts/build-id.js). */
export const BUILD_ID_FILE = 'build-id.json';

/** The compiled files a build's identity covers (not source maps or declarations, which change nothing that runs). */
export function isBuildFile(name: string): boolean {
  return /\.(js|json)$/.test(name) && name !== BUILD_ID_FILE;
}

let version: string | undefined;
/** gantry's version, from its package.json. */
export function gantryVersion(): string {
  version ??= (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}

/**
 * What a tree records of its inputs alone: the same on every machine and for every build of the
 * same version (the committed examples' manifests record this).
 */
export function provenance(inputs: Inputs): Provenance {
  const slashes = (p: string) => p.split(path.sep).join('/');
  return {
    gantry: gantryVersion(),
    inputs: hashContent(JSON.stringify([inputs.specText, slashes(inputs.specFile), slashes(inputs.outDir), slashes(inputs.workflowsDir)])),
  };
}

/** What generate records, and check compares: the inputs and this build of gantry. */
export function runningProvenance(inputs: Inputs): Provenance {
  const build = buildIdentity();
  return { ...provenance(inputs), ...(build ? { build } : {}) };
}

let identity: { value: string | undefined } | undefined;
/**
 * Which gantry is running, so that a changed gantry with the same version number (a git install
 * of another commit, a local edit) is never taken for the one that wrote a tree: the version, the
 * compiled generator (dist/build-id.json, hashed once by the build; from the sources themselves
 * when they run uncompiled, as in the tests), and the blueprints and data files it reads at run
 * time (hashed here: they take effect without a build). Undefined when the running code has no
 * build id (a build that skipped that step): then check always builds.
 */
export function buildIdentity(): string | undefined {
  identity ??= { value: computeIdentity() };
  return identity.value;
}

function computeIdentity(): string | undefined {
  const code = path.dirname(__dirname);
  let compiled: string | undefined;
  if (__filename.endsWith('.ts')) {
    compiled = hashTree(createHash('sha256'), code, (name) => name.endsWith('.ts')).digest('hex');
  } else {
    try {
      compiled = (JSON.parse(fs.readFileSync(path.join(code, BUILD_ID_FILE), 'utf8')) as { sha256?: unknown }).sha256 as string | undefined;
    } catch {
      return undefined;
    }
    if (typeof compiled !== 'string' || !/^[0-9a-f]{64}$/.test(compiled)) return undefined;
  }
  const hash = createHash('sha256').update(`${gantryVersion()}\0${compiled}\0`);
  for (const folder of ['blueprints', 'data', 'schemas']) hashTree(hash.update(`${folder}/\0`), path.join(PACKAGE_ROOT, folder), () => true);
  for (const [name, installed] of installedDependencies()) hash.update(`${name}@${installed}\0`);
  return hash.digest('hex');
}

/**
 * The version of each of gantry's runtime dependencies as installed beside it: aws-cdk-lib and
 * js-yaml shape every template, and an install can hold other versions than gantry pins (npm
 * overrides, a hand-edited lock file). Found as Node finds them, without loading them.
 */
export function installedDependencies(): [string, string][] {
  const pkg = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  return Object.keys(pkg.dependencies ?? {}).sort().map((name) => {
    for (const dir of require.resolve.paths(name) ?? []) {
      const file = path.join(dir, name, 'package.json');
      if (fs.existsSync(file)) return [name, String((JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: unknown }).version)];
    }
    return [name, 'missing'];
  });
}
