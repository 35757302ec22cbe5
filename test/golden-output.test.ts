import fs from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { readSpec } from '../generator/pipeline';
import { buildOutputFiles } from '../generator/output';
import { buildTemplates } from '../generator/stacks/registry';
import { MANIFEST_FILE, WORKFLOWS_MANIFEST_FILE } from '../generator/write/manifest';
import { buildWorkflows } from '../generator/workflows/registry';
import { provenance } from '../generator/write/fingerprint';
import { planWrite } from '../generator/write/writer';
import { readTree, REPO_ROOT } from './helpers';

const examples = fs.readdirSync(path.join(REPO_ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();

describe('golden output (refresh with "npm run examples", then review the diff)', () => {
  const previous = process.cwd();
  beforeAll(() => process.chdir(REPO_ROOT));
  afterAll(() => process.chdir(previous));

  test.each(examples)('output/%s/ is exactly what gantry generates', (name) => {
    // GIVEN an example WHEN its whole tree is generated in memory THEN output/<example>/ holds exactly those bytes
    const report = readSpec(`examples/${name}.yaml`);
    const spec = `examples/${name}.yaml`;
    const out = `output/${name}`;
    const workflowsDir = `${out}/.github/workflows`;
    const templates = buildOutputFiles(report.model!, out);
    const workflows = buildWorkflows(report.model!, { specFile: spec, outDir: out, workflowsDir });
    const source = provenance({ specText: fs.readFileSync(spec, 'utf8'), specFile: spec, outDir: out, workflowsDir });
    const expected: Record<string, string> = {
      ...Object.fromEntries(templates.map((a) => [a.path, a.content])),
      [MANIFEST_FILE]: planWrite(out, spec, templates, { provenance: source }).manifest,
      ...Object.fromEntries(workflows.map((a) => [`.github/workflows/${a.path}`, a.content])),
      [WORKFLOWS_MANIFEST_FILE]: planWrite(workflowsDir, spec, workflows, { provenance: source }).manifest,
    };
    const actual = readTree(path.join(REPO_ROOT, 'output', name));
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    const diffs = Object.keys(expected).filter((f) => actual[f] !== expected[f])
      .map((f) => createTwoFilesPatch(`output/${name}/${f}`, 'generated', actual[f] ?? '', expected[f] ?? ''));
    expect(diffs.join('\n')).toBe('');
  });

  test.each(examples)('%s generates the same bytes twice', (name) => {
    const first = buildTemplates(readSpec(`examples/${name}.yaml`).model!);
    const second = buildTemplates(readSpec(`examples/${name}.yaml`).model!);
    expect(second).toEqual(first);
  });
});
