// jest globalSetup: what many suites share, made once per `npm test` in a temporary folder.
// 1. gantry's source (generator/**/*.ts) transpiled module by module with TypeScript's own
//    transpiler into <tmp>/source/dist, beside links to blueprints/, schemas/, examples/, data/,
//    package.json and node_modules: the tests that need gantry in a plain Node process (a stand-in
//    server in jest's process) run the source as it is now, never a stale dist/.
// 2. The generated tree of every example and every spec in test/specs, as `npm run examples`
//    would write output/<name>/ (same spec and output paths, so the bytes match), built by that
//    transpiled source in one process (`node test/setup/global-setup.js trees DIR`), the first time
//    a suite asks (test/helpers.ts sharedTrees): the golden, validator, cdk-nag and plan suites
//    read these files instead of each building every spec again in its own worker, and a run of
//    one unrelated test file does not pay for them.
// The folder is removed by global-teardown.js; suites find it through GANTRY_TEST_SHARED (test/helpers.ts).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const ts = require('typescript');

const REPO_ROOT = path.resolve(__dirname, '../..');

function transpileSource(into) {
  const { config } = ts.readConfigFile(path.join(REPO_ROOT, 'tsconfig.build.json'), ts.sys.readFile);
  const compilerOptions = ts.parseJsonConfigFileContent(config, ts.sys, REPO_ROOT).options;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const { outputText } = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: { ...compilerOptions, sourceMap: false, inlineSourceMap: false }, fileName: file });
        const out = path.join(into, 'dist', path.relative(path.join(REPO_ROOT, 'generator'), file)).replace(/\.ts$/, '.js');
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out, outputText);
      }
    }
  };
  walk(path.join(REPO_ROOT, 'generator'));
  for (const name of ['blueprints', 'schemas', 'examples', 'data', 'node_modules', 'package.json']) {
    fs.symlinkSync(path.join(REPO_ROOT, name), path.join(into, name));
  }
  // The schema validator as the build precompiles it (scripts/compile-schema.js), so a child
  // process does not compile the schema with ajv on every start.
  const standaloneCode = require('ajv/dist/standalone').default;
  const { createAjv } = require(path.join(into, 'dist/validate/ajv.js'));
  const ajv = createAjv({ standalone: true });
  const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schemas/environment.schema.json'), 'utf8')));
  fs.writeFileSync(path.join(into, 'dist/validate/schema-validator.js'), standaloneCode(ajv, validate));
  // A copy, not a link: Node runs a linked main module from where the link points (the real dist/).
  fs.mkdirSync(path.join(into, 'bin'));
  fs.copyFileSync(path.join(REPO_ROOT, 'bin/gantry.js'), path.join(into, 'bin/gantry.js'));
}

/** Every spec the shared suites read, as [name, path relative to the repository]. */
function sharedSpecs() {
  return [
    ...fs.readdirSync(path.join(REPO_ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => [f.replace(/\.yaml$/, ''), `examples/${f}`]),
    ...fs.readdirSync(path.join(REPO_ROOT, 'test/specs')).filter((f) => f.endsWith('.yaml')).map((f) => [`specs-${f.replace(/\.yaml$/, '')}`, `test/specs/${f}`]),
  ].sort(([a], [b]) => (a < b ? -1 : 1));
}

function generateTrees(source, into) {
  const dist = path.join(source, 'dist');
  const { readSpec } = require(path.join(dist, 'pipeline.js'));
  const { buildOutputFiles } = require(path.join(dist, 'output.js'));
  const { buildWorkflows } = require(path.join(dist, 'workflows/registry.js'));
  const { planWrite } = require(path.join(dist, 'write/writer.js'));
  const { MANIFEST_FILE, WORKFLOWS_MANIFEST_FILE } = require(path.join(dist, 'write/manifest.js'));
  const previous = process.cwd();
  process.chdir(REPO_ROOT);
  try {
    for (const [name, spec] of sharedSpecs()) {
      const report = readSpec(spec);
      if (!report.model) throw new Error(`${spec} is invalid: ${report.diagnostics.map((d) => d.message).join('; ')}`);
      // The paths `npm run examples` uses for output/<example>/.
      const out = `output/${name}`;
      const workflowsDir = `${out}/.github/workflows`;
      const templates = buildOutputFiles(report.model, out);
      const workflows = buildWorkflows(report.model, { specFile: spec, outDir: out, workflowsDir });
      const files = {
        ...Object.fromEntries(templates.map((a) => [a.path, a.content])),
        [MANIFEST_FILE]: planWrite(out, spec, templates).manifest,
        ...Object.fromEntries(workflows.map((a) => [`.github/workflows/${a.path}`, a.content])),
        [WORKFLOWS_MANIFEST_FILE]: planWrite(workflowsDir, spec, workflows).manifest,
      };
      for (const [file, content] of Object.entries(files)) {
        const target = path.join(into, name, file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, content);
      }
    }
    fs.writeFileSync(path.join(into, 'trees.json'), `${JSON.stringify(sharedSpecs().map(([name, spec]) => ({ name, spec })), null, 2)}\n`);
  } finally {
    process.chdir(previous);
  }
}

module.exports = async function globalSetup() {
  // One folder for the run: the shared builds, and the temporary folder of every suite and of what
  // they start (TMPDIR, which os.tmpdir() and mktemp read), so that global-teardown.js removes all
  // that the run made, whatever a suite left behind.
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-test-run-'));
  const shared = path.join(run, 'shared');
  fs.mkdirSync(path.join(run, 'tmp'));
  fs.mkdirSync(shared);
  process.env.GANTRY_TEST_RUN = run;
  process.env.GANTRY_TEST_SHARED = shared;
  process.env.TMPDIR = path.join(run, 'tmp');
  transpileSource(path.join(shared, 'source'));
};

if (require.main === module && process.argv[2] === 'trees') {
  const shared = process.argv[3];
  generateTrees(path.join(shared, 'source'), path.join(shared, 'trees.partial'));
  fs.renameSync(path.join(shared, 'trees.partial'), path.join(shared, 'trees'));
}
