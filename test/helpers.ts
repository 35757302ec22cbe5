import { execFile } from 'node:child_process';
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

/** Runs the built binary in a child process (for tests that need a server in this process). */
export function runBuiltGantry(args: string[], options: { cwd?: string; env: Record<string, string> }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO_ROOT, 'bin/gantry.js'), ...args], { cwd: options.cwd ?? REPO_ROOT, env: { PATH: process.env.PATH, ...options.env } },
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
