#!/usr/bin/env node
// What `gantry generate` of the scale case would cost without aws-cdk-lib (issue 14's proposal in
// docs/performance.md): the same command, writer, workflows and rendering, with each template's
// object coming from a JSON parse instead of CfnInclude and CDK's resolution. That JSON parse
// stands in for deep-copying a parsed blueprint and patching it by logical id, so the result is a
// floor: the builders' own patching would come on top (under 5 % of today's profile).
//
//   node bench/floor.js [--runs N]     (after npm run build)
//
// 1. A child process builds the scale case once and records every template object gantry renders
//    (and the README text), in build order.
// 2. The real `gantry generate` and the stand-in (the same CLI with stacks/registry.js and
//    docs/readme.js answered from the recording, through a --require hook) run round robin with a
//    bare Node start; each run's tree must be byte-identical to the real one, and the stand-in must
//    load no aws-cdk-lib.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const spec = path.join(root, 'bench/ten-environment-regions.yaml');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 7;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-floor-'));
const recording = path.join(scratch, 'recording.json');
const out = path.join(scratch, 'run', 'out');
const dist = (file) => path.join(root, 'dist', file);

// 1. Record: renderTemplate is wrapped on its module object, which registry.js calls through.
execFileSync(process.execPath, ['-e', `
  const render = require(${JSON.stringify(dist('render/yaml.js'))});
  const render0 = render.renderTemplate, templates = [];
  render.renderTemplate = (template, specFile) => { templates.push(JSON.stringify(template)); return render0(template, specFile); };
  const model = require(${JSON.stringify(dist('pipeline.js'))}).readSpec(${JSON.stringify(spec)}).model;
  const artifacts = require(${JSON.stringify(dist('stacks/registry.js'))}).buildTemplates(model);
  const readme = require(${JSON.stringify(dist('docs/readme.js'))}).buildReadme(model, ${JSON.stringify(out)});
  const paths = new Map();
  for (const a of artifacts) paths.set(a.content, [...(paths.get(a.content) ?? []), a.path]);
  // Identical templates (one region's notifications in two environments) are interchangeable.
  const recorded = templates.map((t) => ({ path: paths.get(render0(JSON.parse(t), model.specFile)).shift(), template: t }));
  require('node:fs').writeFileSync(${JSON.stringify(recording)}, JSON.stringify({ templates: recorded, readme }));`], { stdio: ['ignore', 'ignore', 'inherit'] });

// 2. The stand-in's hook.
const hook = path.join(scratch, 'hook.js');
fs.writeFileSync(hook, `
  const Module = require('node:module'), fs = require('node:fs');
  const recorded = () => JSON.parse(fs.readFileSync(${JSON.stringify(recording)}, 'utf8'));
  const stand = {
    [${JSON.stringify(dist('stacks/registry.js'))}]: { buildTemplates(model) {
      const { renderTemplate } = require(${JSON.stringify(dist('render/yaml.js'))});
      return recorded().templates.map((t) => ({ path: t.path, content: renderTemplate(JSON.parse(t.template), model.specFile) }))
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    } },
    [${JSON.stringify(dist('docs/readme.js'))}]: { buildReadme: () => recorded().readme },
  };
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    return stand[Module._resolveFilename(request, parent, isMain)] ?? load.apply(this, arguments);
  };
  process.on('exit', () => { if (Object.keys(require.cache).some((f) => /node_modules[\\\\/]aws-cdk-lib[\\\\/]/.test(f))) process.exitCode = 3; });`);

const generate = (dir) => [path.join(root, 'bin/gantry.js'), 'generate', '--spec', spec, '--out', path.join(dir, 'out'), '--workflows', path.join(dir, 'workflows')];
const cases = {
  'bare node -e 0': () => ['-e', '0'],
  'gantry generate (CfnInclude)': (dir) => generate(dir),
  'stand-in without aws-cdk-lib': (dir) => ['--require', hook, ...generate(dir)],
};
const times = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
const tree = (dir) => {
  const files = [];
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : files.push(path.join(d, e.name))));
  walk(dir);
  return files.map((f) => [path.relative(dir, f), fs.readFileSync(f, 'utf8')]).sort().join('\n');
};
let expected;
for (let run = 0; run < runs; run += 1) {
  for (const [name, args] of Object.entries(cases)) {
    // Every run writes into the same, emptied folder (the README and workflows name it).
    const dir = path.join(scratch, 'run');
    fs.rmSync(dir, { recursive: true, force: true });
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args(dir), { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    times[name].push(Number(process.hrtime.bigint() - started) / 1e6);
    if (result.status !== 0) throw new Error(`${name} exited ${result.status}${result.status === 3 ? ' (it loaded aws-cdk-lib)' : ''}: ${result.stderr}`);
    if (name === 'bare node -e 0') continue;
    const files = tree(dir);
    if (expected === undefined) expected = files;
    else if (files !== expected) {
      const differs = files.split('\n').find((line, i) => line !== expected.split('\n')[i]);
      throw new Error(`${name} wrote another tree than gantry generate; first difference: ${differs?.slice(0, 200)}`);
    }
  }
}
fs.rmSync(scratch, { recursive: true, force: true });

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
console.log(`node ${process.version}, ${os.cpus().length} cores, ${runs} runs each, round robin; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at the end\n`);
console.log('| case | median ms | min ms | max ms |\n| --- | --- | --- | --- |');
for (const [name, list] of Object.entries(times)) console.log(`| ${name} | ${median(list).toFixed(0)} | ${Math.min(...list).toFixed(0)} | ${Math.max(...list).toFixed(0)} |`);
const real = median(times['gantry generate (CfnInclude)']);
const floor = median(times['stand-in without aws-cdk-lib']);
console.log(`\nthe stand-in takes ${(floor / real).toFixed(2)} of gantry generate's time; every run wrote the same templates and workflows`);
