// Benchmark, on each example and on a synthetic spec of 50 environments x 4 regions:
// - `gantry validate`: median wall time against a bare `node -e 0` (target: at most 5x);
// - `gantry generate`: median wall time, peak memory and time per environment x region
//   (targets: medical-logistics under 2 s, peak memory under 300 MB, cost linear in env x region);
// - `gantry export --all` and `gantry export --format stacksets --all`: median wall time on each example.
// Usage: npm run bench [-- --runs N]
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const bin = path.join(root, 'bin/gantry.js');
const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 21;
if (!fs.existsSync(path.join(root, 'dist/cli/main.js'))) {
  console.error('dist/ is missing: run "npm ci" or "npm run build" first');
  process.exit(2);
}

function median(args) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}:\n${result.stdout}${result.stderr}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** 50 environments, each in its own account, each in 4 regions with their own CIDRs. */
function syntheticSpec() {
  const regions = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'];
  const lines = [
    'version: 1', 'project: bench', 'github: { repository: acme/bench }',
    'network: { availabilityZones: 2, endpoints: [s3, ssm] }',
    'tiers:', '  web: { port: 8080 }', '  api: { from: [web], scaling: { requestsPerTarget: 500 } }',
    'database: { engine: postgres, version: "16.4", readReplicas: 1 }',
    'edge: { domain: app.bench.example, zone: bench.example, site: { spa: true }, api: { tier: web } }',
    'budget: { monthlyUsd: 1000 }', 'environments:',
  ];
  for (let e = 0; e < 50; e++) {
    lines.push(`  env${e}:`, `    account: "${String(100000000000 + e)}"`, '    regions:');
    regions.forEach((r, i) => lines.push(`      - { name: ${r}, cidr: 10.${i * 10}.0.0/16 }`));
    lines.push('    overrides:', `      tiers: { web: { capacity: { min: 2, max: ${4 + (e % 5)} } } }`);
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-bench-')), 'environment.yaml');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const baseline = median(['-e', '0']);
const cases = [
  ...fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.yaml')).sort().map((f) => [f, path.join(root, 'examples', f)]),
  ['synthetic 50 environments x 4 regions', syntheticSpec()],
];
console.log(`node ${process.version}, ${os.cpus().length} cores, ${runs} runs each, median wall time`);
console.log(`${'bare node -e 0'.padEnd(46)} ${baseline.toFixed(1).padStart(7)} ms`);
let worst = 0;
for (const [name, file] of cases) {
  const ms = median([bin, 'validate', '--spec', file]);
  const ratio = ms / baseline;
  worst = Math.max(worst, ratio);
  console.log(`${`validate ${name}`.padEnd(46)} ${ms.toFixed(1).padStart(7)} ms  ${ratio.toFixed(2)}x bare node`);
}
console.log(`worst ratio ${worst.toFixed(2)}x (target: at most 5x) ${worst <= 5 ? 'OK' : 'OVER TARGET'}`);

/** One `gantry generate` into a fresh folder, in a child that reports its own peak memory. */
function generateOnce(spec) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-bench-out-'));
  // Workflows go into the temporary folder too, never into this repository's .github/workflows.
  const workflows = path.join(out, '.github', 'workflows');
  const script = `require(${JSON.stringify(path.join(root, 'dist/cli/main.js'))}).run(['generate', '--spec', ${JSON.stringify(spec)}, '--out', ${JSON.stringify(out)}, '--workflows', ${JSON.stringify(workflows)}])` +
    '.then((code) => { process.stderr.write(JSON.stringify({ code, maxRssKb: process.resourceUsage().maxRSS })); })';
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const report = JSON.parse(result.stderr.slice(result.stderr.lastIndexOf('{')));
  if (report.code !== 0) throw new Error(`generate ${spec} exited ${report.code}:\n${result.stdout}`);
  const files = result.stdout.split('\n').filter((l) => l.includes(' created ')).length;
  fs.rmSync(out, { recursive: true, force: true });
  return { ms, mb: report.maxRssKb / 1024, files };
}

console.log('');
console.log(`${'generate'.padEnd(46)} ${'median'.padStart(9)}  ${'peak'.padStart(8)}  files  per env x region`);
for (const [name, file] of cases) {
  const count = name.startsWith('synthetic') ? Math.max(3, Math.floor(runs / 7)) : Math.max(5, Math.floor(runs / 3));
  const samples = Array.from({ length: count }, () => generateOnce(file)).sort((a, b) => a.ms - b.ms);
  const median = samples[Math.floor(samples.length / 2)];
  const peak = Math.max(...samples.map((s) => s.mb));
  const pairs = countRegions(file);
  console.log(`${`generate ${name}`.padEnd(46)} ${median.ms.toFixed(0).padStart(7)} ms  ${peak.toFixed(0).padStart(5)} MB  ${String(median.files).padStart(5)}  ${(median.ms / pairs).toFixed(0)} ms (${pairs} env x region)`);
}

console.log('');
console.log(`${'export'.padEnd(56)} ${'median'.padStart(9)}`);
for (const [label, extra] of [['export --all', []], ['export --format stacksets --all', ['--format', 'stacksets']]]) {
  for (const [name, file] of cases.filter(([n]) => !n.startsWith('synthetic'))) {
    const times = [];
    for (let i = 0; i < Math.max(3, Math.floor(runs / 3)); i++) {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-bench-export-'));
      const start = process.hrtime.bigint();
      const result = spawnSync(process.execPath, [bin, 'export', '--spec', file, '--all', '--out', out, ...extra], { encoding: 'utf8' });
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      fs.rmSync(out, { recursive: true, force: true });
      if (result.status !== 0) throw new Error(`${label} ${name} exited ${result.status}: ${result.stdout}${result.stderr}`);
    }
    times.sort((a, b) => a - b);
    console.log(`${`${label} ${name}`.padEnd(56)} ${times[Math.floor(times.length / 2)].toFixed(0).padStart(7)} ms`);
  }
}

/** Environment x region pairs of a spec, through gantry's own reader. */
function countRegions(file) {
  const { readSpec } = require(path.join(root, 'dist/pipeline.js'));
  return readSpec(file).model.environments.reduce((n, e) => n + e.regions.length, 0);
}
