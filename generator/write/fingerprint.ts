import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../paths';
import { hashContent } from './manifest';

/**
 * What a generated tree was made from: gantry's version and a hash of its inputs (the spec's
 * bytes and the paths written into the files). Stored in the manifests, it lets `check` of an
 * unchanged spec with the same gantry compare the files with the manifests' hashes instead of
 * building them again (no aws-cdk-lib, no templates).
 */
export interface Provenance {
  readonly gantry: string;
  /** SHA-256 of the spec's bytes, its path and the output and workflows folders as written into the files. */
  readonly inputs: string;
}

export interface Inputs {
  readonly specText: string;
  readonly specFile: string;
  readonly outDir: string;
  readonly workflowsDir: string;
}

let version: string | undefined;
/** gantry's version, from its package.json. */
export function gantryVersion(): string {
  version ??= (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}

export function provenance(inputs: Inputs): Provenance {
  const slashes = (p: string) => p.split(path.sep).join('/');
  return {
    gantry: gantryVersion(),
    inputs: hashContent(JSON.stringify([inputs.specText, slashes(inputs.specFile), slashes(inputs.outDir), slashes(inputs.workflowsDir)])),
  };
}

/**
 * Whether `check` may trust the manifests for an unchanged spec. Not in a development checkout of
 * gantry (its generator/ sources sit beside the build): there the code changes while the version
 * does not, so check always builds. GANTRY_TEST_FAST_CHECK=1 lets tests take the fast path anyway.
 */
export function fastCheckAllowed(env: Readonly<Record<string, string | undefined>>): boolean {
  return env.GANTRY_TEST_FAST_CHECK === '1' || !fs.existsSync(path.join(PACKAGE_ROOT, 'generator'));
}
