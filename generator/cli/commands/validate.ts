import type { CommandModule } from 'yargs';
import type { PlatformModel } from '../../model/types';
import { readSpec } from '../../pipeline';
import { formatReport } from '../../report';
import { ExitCode, type CliIo } from '../io';
import { dataOut, reportOptions, type SharedOptions } from '../options';

/** `gantry validate`: every problem of the spec, positioned, in one run; writes nothing. */
export function validateCommand(io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, SharedOptions> {
  return {
    builder: (yargs) =>
      yargs
        .example('$0 validate', 'check environment.yaml')
        .example('$0 validate --spec platform/prod.yaml --format json', 'check another file, print JSON')
        .epilog('Exit codes: 0 valid (warnings allowed), 1 invalid, 2 usage error or unreadable file.'),
    handler: (args) => {
      const report = readSpec(args.spec);
      const options = reportOptions(args.format, io);
      dataOut(io)(formatReport(args.spec, report.diagnostics, options, report.model ? describeModel(report.model) : undefined));
      exit(report.unreadable ? ExitCode.usage : report.model ? ExitCode.ok : ExitCode.invalid);
    },
  };
}

/** "2 environments, 3 regions, 1 tier": distinct regions, however many environments share one. */
export function describeModel(model: PlatformModel): string {
  const regions = new Set(model.environments.flatMap((e) => e.regions.map((r) => r.region))).size;
  const tiers = model.environments[0]?.regions[0]?.tiers.length ?? 0;
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [count(model.environments.length, 'environment'), count(regions, 'region'), count(tiers, 'tier')].join(', ');
}
