// Preloaded by scripts/bench.js into every process it times (`node -r`): at exit, writes the
// process's peak memory and CPU time to the file named by GANTRY_BENCH_REPORT.
'use strict';
const file = process.env.GANTRY_BENCH_REPORT;
if (file) {
  process.on('exit', (code) => {
    const usage = process.resourceUsage();
    require('node:fs').writeFileSync(file, JSON.stringify({ code, maxRssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }));
  });
}
