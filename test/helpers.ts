import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../generator/cli/main';
import type { CliIo } from '../generator/cli/io';
import { deepMerge } from '../generator/model/merge';
import { formatPath } from '../generator/spec/path';
import type { Finding } from '../generator/validate/finding';
import { buildRuleContext } from '../generator/validate';
import type { Rule } from '../generator/validate/rule';

export const REPO_ROOT = path.resolve(__dirname, '..');

/** A small valid spec document; rule tests merge their fragment over it. */
export const BASE_DOCUMENT = {
  version: 1,
  project: 'shop',
  github: { repository: 'acme/shop' },
  tiers: {
    web: { loadBalancer: { public: true, certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' } },
    api: {},
  },
  environments: {
    prod: { account: '123456789012', regions: ['eu-west-1'] },
  },
};

/** The base document with `fragment` deep-merged over it (lists replace). */
export function documentWith(fragment: object): Record<string, unknown> {
  return deepMerge(BASE_DOCUMENT, fragment) as Record<string, unknown>;
}

/** A rule's findings on base+fragment, as `CODE path [@env]` lines, sorted. */
export function ruleFindings(rule: Rule, fragment: object): string[] {
  return rule(buildRuleContext(documentWith(fragment))).map(describeFinding).sort();
}

export function describeFinding(finding: Finding): string {
  return `${finding.code} ${formatPath(finding.path)}${finding.environment ? ` @${finding.environment}` : ''}`;
}

/** Runs the CLI in-process, capturing what it prints. */
export async function runCli(argv: string[], options: { cwd?: string; env?: Record<string, string>; isTty?: boolean } = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => { stdout += text; },
    stderr: (text) => { stderr += text; },
    env: options.env ?? {},
    cwd: options.cwd ?? REPO_ROOT,
    isTty: options.isTty ?? false,
  };
  const previous = process.cwd();
  if (options.cwd) process.chdir(options.cwd);
  try {
    const code = await run(argv, io);
    return { code, stdout, stderr };
  } finally {
    process.chdir(previous);
  }
}

/** @deprecated The GitHub suites run the source now: use runSourceGantry (kept so other branches still compile). */
export const runBuiltGantry = (args: string[], options: { cwd?: string; env: Record<string, string> }) => runSourceGantry(args, options);

/** What jest's globalSetup (test/setup/global-setup.js) made for every suite to share. */
function sharedFolder(): string {
  const shared = process.env.GANTRY_TEST_SHARED;
  if (!shared || !fs.existsSync(shared)) throw new Error('GANTRY_TEST_SHARED is not set: run the tests through jest with jest.config.js (its globalSetup builds what suites share)');
  return shared;
}

/** A generated tree of an example or test spec, exactly as `npm run examples` writes output/<name>/. */
export interface SharedTree {
  readonly name: string;
  /** The spec, relative to the repository. */
  readonly spec: string;
  readonly dir: string;
}

/** The tree of every example and every spec in test/specs, generated once per test run. */
export function sharedTrees(): SharedTree[] {
  const shared = sharedFolder();
  const trees = path.join(shared, 'trees');
  if (!fs.existsSync(trees)) {
    // The first suite to ask builds them (in a plain Node process); any other waits for it.
    let first = true;
    try {
      fs.mkdirSync(path.join(shared, 'trees.lock'));
    } catch {
      first = false;
    }
    if (first) {
      try {
        execFileSync(process.execPath, [path.join(REPO_ROOT, 'test/setup/global-setup.js'), 'trees', shared], { stdio: 'inherit' });
      } catch (error) {
        fs.writeFileSync(path.join(shared, 'trees.failed'), String(error));
        throw error;
      }
    } else {
      const sleeper = new Int32Array(new SharedArrayBuffer(4));
      for (let waited = 0; !fs.existsSync(trees); waited += 200) {
        if (fs.existsSync(path.join(shared, 'trees.failed'))) throw new Error('generating the shared trees failed in another suite');
        if (waited > 600_000) throw new Error('gave up waiting for another suite to generate the shared trees');
        Atomics.wait(sleeper, 0, 0, 200);
      }
    }
  }
  return (JSON.parse(fs.readFileSync(path.join(trees, 'trees.json'), 'utf8')) as { name: string; spec: string }[])
    .map((t) => ({ ...t, dir: path.join(trees, t.name) }));
}

/** Every file under a folder by its path relative to it (with /), as text. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out[path.relative(dir, p).split(path.sep).join('/')] = fs.readFileSync(p, 'utf8');
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/**
 * Runs gantry's current source (transpiled once per test run by the globalSetup, never a stale
 * dist/) in a child process: for tests that need a stand-in server in this process.
 */
export function runSourceGantry(args: string[], options: { cwd?: string; env: Record<string, string> }): Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = path.join(sharedFolder(), 'source', 'bin', 'gantry.js');
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: options.cwd ?? REPO_ROOT, env: { PATH: process.env.PATH, ...options.env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

/** A fresh temporary folder; tests that write files write only there. */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-test-'));
}

/** Every file under a folder with its content, to prove a command changed nothing. */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}
