// Summarises a V8 CPU profile (`node --cpu-prof`) of a gantry command by phase: where the time of
// `generate` goes (module loading, blueprint parsing, CfnInclude, token resolution, YAML rendering,
// hashing, writing, ...). Each sample goes to the innermost phase on its stack, except that anything
// under `require` counts as module loading.
// Usage: node --cpu-prof --cpu-prof-dir DIR bin/gantry.js generate ...; node scripts/profile-summary.js DIR/*.cpuprofile
'use strict';
const fs = require('node:fs');

/** Phases, by a frame's function name and script: the first rule that matches a frame names it. */
const PHASES = [
  ['module loading', (f) => f === 'require' || f === 'compileFunction' || f === 'wrapSafe'],
  ['blueprint parsing (YAML)', (f, u) => /cloudformation-include\/lib\/file-utils|node_modules\/(yaml|aws-cdk-lib\/node_modules\/yaml)\//.test(u) || f === 'parsedBlueprint' || f === 'readBlueprint'],
  ['token resolution (_toCloudFormation)', (f, u) => f === '_toCloudFormation' || /core\/lib\/private\/(resolve|token-map|cloudformation-lang)|core\/lib\/(resolvable|token|tokens|string-fragments|lazy)\.js/.test(u)],
  ['cleanup (tokens, references, gc)', (f) => f === 'forgetTokens' || f === 'forgetReferences' || f === 'collectGarbage'],
  ['CfnInclude (construct the blueprint)', (f, u) => /cloudformation-include\//.test(u)],
  ['tags', (f) => f === 'applyTags'],
  ['YAML rendering', (f, u) => /node_modules\/js-yaml\//.test(u) || f === 'renderTemplate' || f === 'renderYaml' || f === 'renderWorkflow'],
  ['hashing', (f) => f === 'hashContent' || f === 'createHash'],
  ['writing (fs)', (f, u) => /write\/(writer|atomic)\.js/.test(u) && (f === 'applyWrite' || f.startsWith('write') || f === 'commit')],
  ['planning the write (read + compare)', (f, u) => /write\/(writer|manifest)\.js/.test(u)],
  ['spec: load, validate, resolve', (f, u) => /dist\/(spec|validate|model|pipeline)\//.test(u) || /\/dist\/pipeline\.js/.test(u) || /node_modules\/(ajv|ajv-formats)\//.test(u)],
  ['README and workflows', (f, u) => /dist\/(docs|workflows)\//.test(u)],
  ['builders (gantry overrides, new Cfn*)', (f, u) => /dist\/stacks\//.test(u)],
  ['CDK constructs (other aws-cdk-lib, constructs)', (f, u) => /node_modules\/(aws-cdk-lib|constructs)\//.test(u)],
  ['command line (yargs)', (f, u) => /node_modules\/(yargs|yargs-parser|cliui|y18n)\//.test(u) || /dist\/cli\//.test(u)],
];

function summarise(file) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const phaseOf = new Map();
  const classify = (id) => {
    if (phaseOf.has(id)) return phaseOf.get(id);
    const chain = [];
    for (let at = id; at !== undefined; at = parent.get(at)) chain.push(byId.get(at));
    const frames = chain.map((n) => [n.callFrame.functionName, n.callFrame.url]);
    let phase;
    if (frames.some(([f, u]) => PHASES[0][1](f, u))) phase = PHASES[0][0];
    else if (frames[0][0] === '(garbage collector)') phase = 'garbage collection';
    else if (frames[0][0] === '(program)' || frames[0][0] === '(idle)') phase = 'V8/Node internals (program, idle)';
    else {
      for (const [f, u] of frames) {
        const hit = PHASES.slice(1).find(([, test]) => test(f, u));
        if (hit) { phase = hit[0]; break; }
      }
    }
    phase ??= 'other';
    phaseOf.set(id, phase);
    return phase;
  };
  const totals = new Map();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    all += dt;
    const phase = classify(id);
    totals.set(phase, (totals.get(phase) ?? 0) + dt);
  });
  return { all, totals: [...totals].sort((a, b) => b[1] - a[1]) };
}

for (const file of process.argv.slice(2)) {
  const { all, totals } = summarise(file);
  console.log(`${file}: ${all.toFixed(0)} ms sampled`);
  for (const [phase, ms] of totals) console.log(`  ${phase.padEnd(48)} ${ms.toFixed(0).padStart(6)} ms ${(100 * ms / all).toFixed(1).padStart(5)} %`);
}
