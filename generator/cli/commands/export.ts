import path from 'node:path';
import type { CommandModule } from 'yargs';
import { withNewRegion } from '../../export/new-region';
import { checkLoadedSpec, readSpec, type SpecReport } from '../../pipeline';
import { formatReport } from '../../report';
import { didYouMean } from '../../util/suggest';
import { MANIFEST_FILE } from '../../write/manifest';
import { refuseSystemFolder } from '../../write/safe-paths';
import { ExitCode, UsageError, type CliIo } from '../io';
import { reportOptions, type SharedOptions } from '../options';
import { buildSide } from './plan';

interface ExportOptions extends Omit<SharedOptions, 'format'> {
  /** What to write: a bundle per environment and region, or an environment's stack sets. */
  format: 'bundle' | 'stacksets';
  environment?: string;
  region?: string;
  cidr?: string;
  all: boolean;
}

/** The folder of an environment's stack sets under --out; no region is named so. */
const STACK_SETS_DIR = 'stacksets';

/**
 * `gantry export`: a self-contained bundle per environment and region (templates, parameter files,
 * tags, README, deploy.sh) for teams that deploy without gantry's workflows, or to a region the
 * spec does not list yet; or, with --format stacksets, an environment's stack sets.
 */
export function exportCommand(io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, ExportOptions> {
  return {
    command: 'export',
    describe: 'write a deployable bundle (templates, parameters, deploy.sh) per environment and region, or StackSets',
    builder: (yargs) =>
      yargs
        .option('out', { type: 'string', default: 'export', describe: 'folder for the bundles (<out>/<env>/<region>/, or <out>/<env>/stacksets/)', normalize: true, requiresArg: true })
        .option('format', {
          choices: ['bundle', 'stacksets'] as const,
          default: 'bundle' as const,
          describe: 'bundle: templates and deploy.sh per environment and region; stacksets: an environment as CloudFormation StackSets',
        })
        .option('environment', { type: 'string', describe: 'an environment of the spec', requiresArg: true })
        .option('region', { type: 'string', describe: 'one of its regions, or a region it does not list yet', requiresArg: true })
        .option('cidr', { type: 'string', describe: "a new region's VPC CIDR (default: the next free one)", requiresArg: true })
        .option('all', { type: 'boolean', default: false, describe: 'every environment and region' })
        .example('$0 export --environment prod --region eu-west-1 --out bundles', 'one bundle')
        .example('$0 export --environment prod --region eu-central-1', 'roll prod out to a region the spec does not list yet')
        .example('$0 export --all', 'every environment and region')
        .example('$0 export --format stacksets --environment prod', "prod's stack sets, with an instance per region")
        .example('$0 export --format stacksets --environment prod --region eu-central-1', 'the same, with an instance in a region more'),
    handler: (args) => {
      const stackSets = args.format === 'stacksets';
      if (!args.all && (!args.environment || (!args.region && !stackSets))) {
        throw new UsageError(stackSets ? 'name --environment (and --region to add one), or give --all' : 'name --environment and --region, or give --all');
      }
      let report: SpecReport = readSpec(args.spec);
      if (!report.model || !report.spec) return invalid(report);
      const targets: [string, string][] = [];
      if (args.all) {
        for (const e of report.model.environments) {
          if (stackSets) targets.push([e.name, STACK_SETS_DIR]);
          else for (const r of e.regions) targets.push([e.name, r.region]);
        }
      } else {
        const environment = report.model.environments.find((e) => e.name === args.environment);
        const names = report.model.environments.map((e) => e.name);
        if (!environment) throw new UsageError(`there is no environment "${args.environment}"; ${didYouMean(args.environment as string, names) ?? `the spec has ${names.join(', ')}`}`);
        if (args.region && !environment.regions.some((r) => r.region === args.region)) {
          const added = withNewRegion(report.spec, environment, args.region as string, args.cidr);
          if ('error' in added) throw new UsageError(added.error);
          report = checkLoadedSpec(added.spec);
          if (!report.model) return invalid(report);
          io.stdout(`${args.region} is new to ${environment.name}: it takes the environment's settings and the VPC CIDR ${added.cidr}.\n`);
        }
        targets.push([environment.name, stackSets ? STACK_SETS_DIR : args.region as string]);
      }
      const model = report.model;
      const { applyPlans, buildExportBundle, buildStackSetsBundle, planWrite, refuseForeignFolder, withWriteLock } = buildSide();
      const bundles = targets.map(([environmentName, region]) => {
        const environment = model.environments.find((e) => e.name === environmentName)!;
        const dir = path.join(args.out, environmentName, region);
        const files = stackSets ? buildStackSetsBundle(model, environment) : buildExportBundle(model, environment, region);
        return { environmentName, region, dir, files, manifestFile: path.join(dir, MANIFEST_FILE) };
      });
      // Before anything (even the lock) is written: not /, not the home folder, not a folder of someone else's files.
      refuseSystemFolder(args.out, '--out', io.env);
      for (const b of bundles) refuseForeignFolder({ option: '--out', dir: b.dir, artifacts: b.files, manifestFile: b.manifestFile, env: io.env });
      // One transaction for every bundle: each keeps its manifest, so a re-export removes what it no longer writes.
      const plans = withWriteLock(args.out, (recovered) => {
        if (recovered) io.stderr(`gantry: an interrupted export (pid ${recovered.pid}) was found in ${args.out} and ${recovered.outcome}.\n`);
        const planned = bundles.map((b) => planWrite(b.dir, args.spec, b.files));
        if (planned.every((plan) => plan.conflicts.length === 0)) applyPlans(args.out, planned);
        return planned;
      });
      const conflicts = plans.flatMap((plan) => plan.conflicts.map((c) => `${path.join(plan.outDir, c.path)} ${c.reason}`));
      if (conflicts.length > 0) {
        for (const c of conflicts) io.stderr(`gantry: ${c}\n`);
        io.stderr('Nothing was written.\n');
        return exit(ExitCode.invalid);
      }
      bundles.forEach(({ environmentName, region, dir }, i) => {
        const plan = plans[i]!;
        for (const change of plan.changes) if (change.kind === 'remove') io.stdout(`  removed ${path.join(dir, change.path)} (no longer exported)\n`);
        for (const k of plan.kept) io.stderr(`gantry: ${path.join(dir, k.path)}: ${k.reason}\n`);
        const what = stackSets ? `${environmentName}'s stack sets` : `${environmentName} ${region}`;
        const files = plan.changes.filter((c) => c.kind !== 'remove').length;
        io.stdout(`Exported ${what} to ${dir}/ (${files} files); ${stackSets ? 'roll them out' : 'deploy it'} with ${path.join(dir, 'deploy.sh')}\n`);
      });
      return exit(ExitCode.ok);

      function invalid(failed: SpecReport) {
        // --format names what to export here; problems print as every command's do by default.
        io.stdout(formatReport(args.spec, failed.diagnostics, reportOptions('auto', io)));
        return exit(failed.unreadable ? ExitCode.usage : ExitCode.invalid);
      }
    },
  };
}
