import type { CommandModule } from 'yargs';
import type { PlatformModel } from '../../model/types';
import { readSpec } from '../../pipeline';
import { formatReport } from '../../report';
import { ExitCode, type CliIo } from '../io';
import { reportOptions, type SharedOptions } from '../options';

/** `gantry validate`: every problem of the spec, positioned, in one run; writes nothing. */
export function validateCommand(io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, SharedOptions> {
  return {
    command: 'validate',
    describe: 'check the spec and print every problem with its file:line:col',
    builder: (yargs) =>
      yargs
        .example('$0 validate', 'check environment.yaml')
        .example('$0 validate --spec platform/prod.yaml --format json', 'check another file, print JSON')
        .epilog('Exit codes: 0 valid (warnings allowed), 1 invalid, 2 usage error or unreadable file.'),
    handler: (args) => {
      const report = readSpec(args.spec);
      const options = reportOptions(args.format, io);
      io.stdout(formatReport(args.spec, report.diagnostics, options, report.model ? describeModel(report.model) : undefined));
      exit(report.unreadable ? ExitCode.usage : report.model ? ExitCode.ok : ExitCode.invalid);
    },
  };
}

/** "2 environments, 3 regions, 1 tier" */
export function describeModel(model: PlatformModel): string {
  const regions = model.environments.reduce((n, e) => n + e.regions.length, 0);
  const tiers = model.environments[0]?.regions[0]?.tiers.length ?? 0;
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [count(model.environments.length, 'environment'), count(regions, 'region'), count(tiers, 'tier')].join(', ');
}
