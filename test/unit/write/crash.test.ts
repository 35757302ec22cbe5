import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { headerLine } from '../../../generator/render/yaml';
import { WORKFLOWS_MANIFEST_FILE } from '../../../generator/write/manifest';
import { withWriteLock } from '../../../generator/write/transaction';
import { applyPlans, describeDrift, planWrite, unfinishedWrite, type WritePlan } from '../../../generator/write/writer';
import { REPO_ROOT, tempDir } from '../../helpers';

/**
 * kill -9 at every point of the write phase: a child process runs the writer with
 * GANTRY_TEST_CRASH_AFTER_STEP=N, which makes it SIGKILL itself right after its Nth change to the
 * file system. Whatever N, the tree it leaves is never taken for a current one, and the next run
 * (which finds the dead run's lock and journal) restores it wholly old or wholly new.
 */

const header = headerLine('environment.yaml');
const file = (name: string, body: string) => ({ path: name, content: `${header}\n${body}\n` });

const OLD = {
  out: [file('README.md', 'readme: 1'), file('prod/a.yaml', 'a: 1'), file('prod/b.yaml', 'b: 1'), file('prod/eu/c.yaml', 'c: 1'), { path: 'tags.json', content: '[]\n' }],
  workflows: [file('gantry-plan.yml', 'plan: 1'), file('gantry-old.yml', 'old: 1')],
};
const NEW = {
  out: [file('README.md', 'readme: 2'), file('prod/a.yaml', 'a: 1'), file('prod/b.yaml', 'b: 2'), file('new/e/f.yaml', 'f: 1')],
  workflows: [file('gantry-plan.yml', 'plan: 2'), file('gantry-new.yml', 'new: 1')],
};
type Trees = typeof OLD;

/** The writer's modules, transpiled from the sources into a temporary folder for the child. */
let writerJs: string;
beforeAll(() => {
  const dir = path.join(tempDir(), 'write');
  fs.mkdirSync(dir);
  const source = path.join(REPO_ROOT, 'generator', 'write');
  for (const name of fs.readdirSync(source).filter((f) => f.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(fs.readFileSync(path.join(source, name), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    fs.writeFileSync(path.join(dir, name.replace(/\.ts$/, '.js')), outputText);
  }
  writerJs = path.join(dir, 'writer.js');
});

function plans(root: string, trees: Trees): WritePlan[] {
  const out = path.join(root, 'output');
  return [
    planWrite(out, 'environment.yaml', trees.out),
    planWrite(path.join(root, '.github', 'workflows'), 'environment.yaml', trees.workflows, { manifestFile: path.join(out, WORKFLOWS_MANIFEST_FILE) }),
  ];
}

/** What `generate` does, in this process: lock, recover, plan, apply. */
function generate(root: string, trees: Trees) {
  const out = path.join(root, 'output');
  return withWriteLock(out, (recovered) => {
    applyPlans(out, plans(root, trees));
    return recovered;
  });
}

/**
 * The same in a child process that kills itself after `crashAt` steps (with no trees: only the
 * lock and the recovery); true when it was killed.
 */
function generateInChild(root: string, trees: Trees | null, crashAt: number): boolean {
  const script = `
    const path = require('node:path');
    const { applyPlans, planWrite } = require(${JSON.stringify(writerJs)});
    const { withWriteLock } = require(${JSON.stringify(path.join(path.dirname(writerJs), 'transaction.js'))});
    const [root, trees] = [process.argv[1], JSON.parse(process.argv[2])];
    const out = path.join(root, 'output');
    withWriteLock(out, () => trees && applyPlans(out, [
      planWrite(out, 'environment.yaml', trees.out),
      planWrite(path.join(root, '.github', 'workflows'), 'environment.yaml', trees.workflows, { manifestFile: path.join(out, ${JSON.stringify(WORKFLOWS_MANIFEST_FILE)}) }),
    ]));`;
  const result = spawnSync(process.execPath, ['-e', script, root, JSON.stringify(trees)], {
    env: { PATH: process.env.PATH, NODE_PATH: path.join(REPO_ROOT, 'node_modules'), GANTRY_TEST_CRASH_AFTER_STEP: String(crashAt) },
    encoding: 'utf8',
  });
  if (result.signal === 'SIGKILL') return true;
  if (result.status !== 0) throw new Error(`the writer failed: ${result.stderr}`);
  return false;
}

/** Every file and folder under root with its content ('<dir>' for folders). */
function snapshot(root: string, ignore: (name: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (ignore(entry.name)) continue;
      const p = path.join(dir, entry.name);
      const key = path.relative(root, p);
      if (entry.isDirectory()) {
        out[`${key}/`] = '<dir>';
        walk(p);
      } else out[key] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return out;
}

const bookkeeping = (name: string) => /^\.gantry-journal\.json|^\.gantry\.lock|\.gantry-(new|old)$/.test(name);

function oldTree(): string {
  const root = tempDir();
  if (!root.startsWith(os.tmpdir())) throw new Error('the crash test runs only in temporary folders');
  generate(root, OLD);
  fs.writeFileSync(path.join(root, 'output', 'NOTES.md'), 'my notes\n');
  return root;
}

describe('a run killed at any point of the write phase', () => {
  it('leaves a tree that is restored wholly old or wholly new, and the next run completes', () => {
    const template = oldTree();
    const before = snapshot(template);
    const after = (() => {
      const root = tempDir();
      fs.cpSync(template, root, { recursive: true });
      generate(root, NEW);
      return snapshot(root);
    })();
    expect(after).not.toEqual(before);
    const outcomes = { old: 0, new: 0 };
    let crashAt = 1;
    for (; crashAt < 200; crashAt++) {
      const root = tempDir();
      fs.cpSync(template, root, { recursive: true });
      if (!generateInChild(root, NEW, crashAt)) break;
      const out = path.join(root, 'output');
      const left = snapshot(root, bookkeeping);
      // A tree that is neither old nor new is never taken for current: check sees the journal.
      if (JSON.stringify(left) !== JSON.stringify(before) && JSON.stringify(left) !== JSON.stringify(after)) {
        expect([crashAt, unfinishedWrite(out)]).toEqual([crashAt, expect.stringMatching(/a write was interrupted/)]);
      }
      // Recovery itself killed after its first step (at every third point: each child costs a Node
      // start), then recovery again; the dead runs' locks are stale and taken over.
      if (crashAt % 3 === 0) generateInChild(root, null, 1);
      withWriteLock(out, () => undefined);
      const recovered = snapshot(root);
      const which = JSON.stringify(recovered) === JSON.stringify(before) ? 'old' : JSON.stringify(recovered) === JSON.stringify(after) ? 'new' : 'mixed';
      expect([crashAt, which]).not.toEqual([crashAt, 'mixed']);
      outcomes[which as 'old' | 'new'] += 1;
      // and the next run writes the new tree, which check accepts
      generate(root, NEW);
      expect([crashAt, snapshot(root)]).toEqual([crashAt, after]);
      expect(plans(root, NEW).flatMap(describeDrift)).toEqual([]);
      expect(unfinishedWrite(out)).toBeUndefined();
    }
    // The run has this many steps; the loop stopped at the first N the run outlived.
    expect(crashAt).toBeGreaterThan(20);
    expect(crashAt).toBeLessThan(200);
    expect(outcomes.old).toBeGreaterThan(3);
    expect(outcomes.new).toBeGreaterThan(3);
  }, 120_000);
});
