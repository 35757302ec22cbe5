// Regenerates the golden files from examples/: the generated tree of each example
// (output/<example>/, through the same writer as `gantry generate`), its resolved model
// (test/golden/<example>.model.json), and the invalid-spec corpus's expected output.
// Review the diff like code. `npm run examples` builds first.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { readSpec } = require('../dist/pipeline.js');
const { goldenModelJson } = require('../dist/model/golden.js');
const { buildOutputFiles } = require('../dist/output.js');
const { applyWrite, planWrite } = require('../dist/write/writer.js');
const { buildWorkflows } = require('../dist/workflows/registry.js');
const { provenance } = require('../dist/write/fingerprint.js');

const root = path.join(__dirname, '..');
process.chdir(root);
for (const file of fs.readdirSync('examples').filter((f) => f.endsWith('.yaml')).sort()) {
  const report = readSpec(path.join('examples', file));
  if (!report.model) {
    console.error(`examples/${file} is not valid; run "gantry validate --spec examples/${file}"`);
    process.exitCode = 1;
    continue;
  }
  const target = path.join('test/golden', file.replace(/\.yaml$/, '.model.json'));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, goldenModelJson(report.model));
  console.log(`wrote ${target}`);
  const name = file.replace(/\.yaml$/, '');
  const spec = `examples/${file}`;
  const out = `output/${name}`;
  const workflows = `${out}/.github/workflows`;
  const source = provenance({ specText: fs.readFileSync(spec, 'utf8'), specFile: spec, outDir: out, workflowsDir: workflows });
  for (const plan of [
    planWrite(out, spec, buildOutputFiles(report.model, out), { provenance: source }),
    planWrite(workflows, spec, buildWorkflows(report.model, { specFile: spec, outDir: out, workflowsDir: workflows }), { manifestFile: `${out}/.gantry-workflows.json`, provenance: source }),
  ]) {
    if (plan.conflicts.length > 0) throw new Error(JSON.stringify(plan.conflicts));
    applyWrite(plan);
    console.log(`wrote ${plan.outDir}/ (${plan.changes.filter((c) => c.kind !== 'unchanged').length} files changed)`);
  }
}

// The invalid-spec corpus: what `gantry validate` prints for each file of test/invalid/, run
// from that folder so the file names in the output are the plain names.
const { run } = require('../dist/cli/main.js');
const { corpusOutput } = require('../dist/cli/corpus.js');
(async () => {
  const dir = path.join(root, 'test/invalid');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const text = await corpusOutput(run, dir, file);
    fs.writeFileSync(path.join(dir, file.replace(/\.yaml$/, '.diagnostics.txt')), text);
  }
  console.log('wrote test/invalid/*.diagnostics.txt');
})();
