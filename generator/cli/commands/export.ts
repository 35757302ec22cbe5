import path from 'node:path';
import type { CommandModule } from 'yargs';
import { withNewRegion } from '../../export/new-region';
import { checkLoadedSpec, readSpec, type SpecReport } from '../../pipeline';
import { formatReport } from '../../report';
import { didYouMean } from '../../util/suggest';
import { ExitCode, UsageError, type CliIo } from '../io';
import { reportOptions, type SharedOptions } from '../options';
import { buildSide } from './plan';

interface ExportOptions extends SharedOptions {
  environment?: string;
  region?: string;
  cidr?: string;
  all: boolean;
}

/**
 * `gantry export`: a self-contained bundle per environment and region (templates, parameter files,
 * tags, README, deploy.sh) for teams that deploy without gantry's workflows, or to a region the
 * spec does not list yet.
 */
export function exportCommand(io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, ExportOptions> {
  return {
    command: 'export',
    describe: 'write a deployable bundle (templates, parameters, deploy.sh) per environment and region',
    builder: (yargs) =>
      yargs
        .option('out', { type: 'string', default: 'export', describe: 'folder for the bundles (<out>/<env>/<region>/)', normalize: true, requiresArg: true })
        .option('environment', { type: 'string', describe: 'an environment of the spec', requiresArg: true })
        .option('region', { type: 'string', describe: 'one of its regions, or a region it does not list yet', requiresArg: true })
        .option('cidr', { type: 'string', describe: "a new region's VPC CIDR (default: the next free one)", requiresArg: true })
        .option('all', { type: 'boolean', default: false, describe: 'every environment and region' })
        .example('$0 export --environment prod --region eu-west-1 --out bundles', 'one bundle')
        .example('$0 export --environment prod --region eu-central-1', 'roll prod out to a region the spec does not list yet')
        .example('$0 export --all', 'every environment and region'),
    handler: (args) => {
      if (!args.all && (!args.environment || !args.region)) throw new UsageError('name --environment and --region, or give --all');
      let report: SpecReport = readSpec(args.spec);
      if (!report.model || !report.spec) return invalid(report);
      const targets: [string, string][] = [];
      if (args.all) {
        for (const e of report.model.environments) for (const r of e.regions) targets.push([e.name, r.region]);
      } else {
        const environment = report.model.environments.find((e) => e.name === args.environment);
        const names = report.model.environments.map((e) => e.name);
        if (!environment) throw new UsageError(`there is no environment "${args.environment}"; ${didYouMean(args.environment as string, names) ?? `the spec has ${names.join(', ')}`}`);
        if (!environment.regions.some((r) => r.region === args.region)) {
          const added = withNewRegion(report.spec, environment, args.region as string, args.cidr);
          if ('error' in added) throw new UsageError(added.error);
          report = checkLoadedSpec(added.spec);
          if (!report.model) return invalid(report);
          io.stdout(`${args.region} is new to ${environment.name}: it takes the environment's settings and the VPC CIDR ${added.cidr}.\n`);
        }
        targets.push([environment.name, args.region as string]);
      }
      const model = report.model;
      const { applyWrite, buildExportBundle, planWrite } = buildSide();
      for (const [environmentName, region] of targets) {
        const environment = model.environments.find((e) => e.name === environmentName)!;
        const dir = path.join(args.out, environmentName, region);
        const plan = planWrite(dir, args.spec, buildExportBundle(model, environment, region));
        if (plan.conflicts.length > 0) {
          for (const c of plan.conflicts) io.stderr(`gantry: ${path.join(dir, c.path)} ${c.reason}\n`);
          io.stderr('Nothing was written.\n');
          return exit(ExitCode.invalid);
        }
        applyWrite(plan);
        io.stdout(`Exported ${environmentName} ${region} to ${dir}/ (${plan.changes.length} files); deploy it with ${path.join(dir, 'deploy.sh')}\n`);
      }
      return exit(ExitCode.ok);

      function invalid(failed: SpecReport) {
        io.stdout(formatReport(args.spec, failed.diagnostics, reportOptions(args.format, io)));
        return exit(failed.unreadable ? ExitCode.usage : ExitCode.invalid);
      }
    },
  };
}
