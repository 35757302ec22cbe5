// Preloaded by scripts/bench.js into every process it times (`node -r`): at exit, writes the
// process's peak memory and CPU time into the folder named by GANTRY_BENCH_REPORT, one file per
// process. It puts itself into NODE_OPTIONS, so the Node processes a command starts (lint runs
// AWS's validator in one) report too, and the bench counts their CPU time and memory as well.
'use strict';
const dir = process.env.GANTRY_BENCH_REPORT;
if (dir) {
  const self = `--require ${JSON.stringify(__filename)}`;
  if (!(process.env.NODE_OPTIONS ?? '').includes(self)) process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} ${self}`.trim();
  process.on('exit', (code) => {
    const usage = process.resourceUsage();
    require('node:fs').writeFileSync(require('node:path').join(dir, `${process.pid}.json`),
      JSON.stringify({ code, maxRssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }));
  });
}
