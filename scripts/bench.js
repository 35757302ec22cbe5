// Benchmark: one table of gantry's commands, each timed against a bare `node -e 0` in the same run.
// - generate of each example, of bench/ten-environment-regions.yaml (4 environments in 10
//   environment-regions, 68 stacks) and of a synthetic 50 environments x 4 regions (200), for linearity;
// - stacks (what every workflow job runs), validate, check of an unchanged tree, lint, export;
// - the same platform as an idiomatic CDK app (bench/cdk-app.js), synthesized in the same run,
//   with and without CDK's built-in CloudFormation validation.
// Runs go round robin over the cases, so a busy machine slows them all alike. Each row: median,
// min and max wall time, median CPU time (user + system, all threads, of the command and of the
// Node processes it starts), peak memory (max RSS; a command that starts Node processes: the sum
// of their peaks, as they may run at once), and the median's ratio to bare Node's.
// Targets (issue 14): generate of the 10 environment-region spec <= 1/5 of the CDK app's synth;
// stacks and validate <= 2.5x bare Node; check of an unchanged tree <= 3x; lint <= 3 s; peak <= 200 MB.
// Usage: npm run bench [-- --runs N] [-- --quick] [-- --only REGEXP]
// (--quick: no CDK app, no 200 environment-region case; --only: just the cases whose label matches, and bare node)
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
// The commands as a developer runs them: `check` builds whenever CI is set (it trusts no manifest there).
const OUTSIDE_CI = { CI: '', GITHUB_ACTIONS: '' };
const bin = path.join(root, 'bin/gantry.js');
const flag = (name) => process.argv.indexOf(name);
const runs = flag('--runs') > 0 ? Number(process.argv[flag('--runs') + 1]) : 7;
const quick = flag('--quick') > 0;
const only = flag('--only') > 0 ? new RegExp(process.argv[flag('--only') + 1]) : undefined;
if (!fs.existsSync(path.join(root, 'dist/cli/main.js'))) {
  console.error('dist/ is missing: run "npm ci" or "npm run build" first');
  process.exit(2);
}
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-bench-'));
const reports = path.join(scratch, 'reports');

/** One timed run of `node -r bench-report <args>`: wall time, and CPU and peak memory of it and the Node processes it starts. */
function once(args, cwd = root) {
  fs.rmSync(reports, { recursive: true, force: true });
  fs.mkdirSync(reports);
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['-r', path.join(__dirname, 'bench-report.js'), ...args], {
    cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, GANTRY_BENCH_REPORT: reports, ...OUTSIDE_CI },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}:\n${result.stdout.slice(-2000)}${result.stderr.slice(-2000)}`);
  const processes = fs.readdirSync(reports).map((f) => JSON.parse(fs.readFileSync(path.join(reports, f), 'utf8')));
  if (processes.length === 0) throw new Error(`node ${args.join(' ')} wrote no report`);
  return { ms, cpuMs: processes.reduce((sum, p) => sum + p.cpuMs, 0), mb: processes.reduce((sum, p) => sum + p.maxRssKb, 0) / 1024 };
}

/** A generated tree of a spec, for the commands that read one (stacks, check, lint). */
function generated(spec) {
  const out = fs.mkdtempSync(path.join(scratch, 'tree-'));
  once([bin, 'generate', '--spec', spec, '--out', out, '--workflows', path.join(out, 'workflows')]);
  return out;
}

/** 50 environments, each in its own account, each in 4 regions with their own CIDRs: 200 environment-regions. */
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
  const file = path.join(scratch, 'synthetic-200.yaml');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const examples = fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.yaml')).sort();
const scale = path.join(root, 'bench/ten-environment-regions.yaml');
const largest = path.join(root, 'examples/medical-logistics.yaml');
const largestTree = generated(largest);
const scaleTree = generated(scale);
const into = (name) => { const out = path.join(scratch, `out-${name}`); return ['--out', out, '--workflows', path.join(out, 'workflows')]; };

/** [label, node arguments, runs] */
const cases = [
  ['bare node -e 0', ['-e', '0']],
  ...examples.map((f) => [`generate ${f}`, [bin, 'generate', '--spec', path.join(root, 'examples', f), ...into(f)]]),
  ['generate 10 environment-regions (68 stacks)', [bin, 'generate', '--spec', scale, ...into('scale')]],
  ...(quick ? [] : [['generate 200 environment-regions (1,150 stacks)', [bin, 'generate', '--spec', syntheticSpec(), ...into('synthetic')], Math.min(runs, 3)]]),
  ['stacks (medical-logistics prod eu-west-1)', [bin, 'stacks', '--spec', largest, '--out', largestTree, '--environment', 'prod', '--region', 'eu-west-1']],
  ['stacks (10 environment-regions, prod us-west-2)', [bin, 'stacks', '--spec', scale, '--out', scaleTree, '--environment', 'prod', '--region', 'us-west-2']],
  ['validate medical-logistics.yaml', [bin, 'validate', '--spec', largest]],
  ['validate 10 environment-regions', [bin, 'validate', '--spec', scale]],
  ['check medical-logistics.yaml (unchanged tree)', [bin, 'check', '--spec', largest, '--out', largestTree, '--workflows', path.join(largestTree, 'workflows')]],
  ['check 10 environment-regions (unchanged tree)', [bin, 'check', '--spec', scale, '--out', scaleTree, '--workflows', path.join(scaleTree, 'workflows')]],
  ['lint medical-logistics.yaml', [bin, 'lint', '--out', largestTree]],
  ['export --all medical-logistics.yaml', [bin, 'export', '--spec', largest, '--all', '--out', path.join(scratch, 'export')]],
  ['export --format stacksets --all medical-logistics.yaml', [bin, 'export', '--spec', largest, '--all', '--format', 'stacksets', '--out', path.join(scratch, 'stacksets')]],
  ...(quick ? [] : [
    ['CDK app synth, same platform (bench/cdk-app.js)', [path.join(root, 'bench/cdk-app.js'), path.join(scratch, 'cdk.out')], Math.min(runs, 3)],
    ['CDK app synth, built-in validation off', ['-e', `process.env.GANTRY_BENCH_CDK_VALIDATION='off'; process.argv[2]=${JSON.stringify(path.join(scratch, 'cdk-off.out'))}; require(${JSON.stringify(path.join(root, 'bench/cdk-app.js'))})`], Math.min(runs, 3)],
  ]),
];

const chosen = only ? cases.filter(([label], i) => i === 0 || only.test(label)) : cases;
const samples = new Map(chosen.map(([label]) => [label, []]));
for (let i = 0; i < runs; i++) {
  for (const [label, args, count = runs] of chosen) if (i < count) samples.get(label).push(once(args));
}
fs.rmSync(scratch, { recursive: true, force: true });

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const stats = new Map([...samples].map(([label, xs]) => [label, {
  median: median(xs.map((x) => x.ms)), min: Math.min(...xs.map((x) => x.ms)), max: Math.max(...xs.map((x) => x.ms)),
  cpu: median(xs.map((x) => x.cpuMs)), mb: Math.max(...xs.map((x) => x.mb)), runs: xs.length,
}]));
const bare = stats.get('bare node -e 0');
const cols = (cells) => `| ${cells.join(' | ')} |`;
console.log(`node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at the end`);
console.log('');
console.log(cols(['case', 'runs', 'median ms', 'min ms', 'max ms', 'CPU ms', 'peak MB', 'x bare node (median)', 'x bare node (CPU)']));
console.log(cols(Array(9).fill('---')));
for (const [label, s] of stats) {
  console.log(cols([label, s.runs, s.median.toFixed(0), s.min.toFixed(0), s.max.toFixed(0), s.cpu.toFixed(0), s.mb.toFixed(0), (s.median / bare.median).toFixed(2), (s.cpu / bare.cpu).toFixed(2)]));
}
const cdk = stats.get('CDK app synth, same platform (bench/cdk-app.js)');
const gen = stats.get('generate 10 environment-regions (68 stacks)');
if (cdk && gen) {
  const off = stats.get('CDK app synth, built-in validation off');
  console.log('');
  console.log(`generate 10 environment-regions / CDK synth: ${(gen.median / cdk.median).toFixed(2)} by wall time, ${(gen.cpu / cdk.cpu).toFixed(2)} by CPU (target <= 0.20); ` +
    `/ CDK synth without validation: ${(gen.median / off.median).toFixed(2)} wall, ${(gen.cpu / off.cpu).toFixed(2)} CPU (target <= 0.50)`);
}
const synthetic = stats.get('generate 200 environment-regions (1,150 stacks)');
if (synthetic && gen) console.log(`per environment-region: ${(gen.median / 10).toFixed(0)} ms at 10, ${(synthetic.median / 200).toFixed(0)} ms at 200 (linear when about equal)`);
