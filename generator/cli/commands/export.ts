import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { withNewRegion } from '../../export/new-region';
import { checkLoadedSpec, readSpec, type SpecReport } from '../../pipeline';
import { formatReport } from '../../report';
import { didYouMean } from '../../util/suggest';
import { MANIFEST_FILE } from '../../write/manifest';
import { refuseSystemFolder } from '../../write/safe-paths';
import { ExitCode, UsageError, type CliIo } from '../io';
import { dataOut, reportOptions, type SharedOptions } from '../options';
import { buildSide } from './plan';

interface ExportOptions extends Omit<SharedOptions, 'format'> {
  /** What to write: a bundle per environment and region, or an environment's stack sets. */
  layout: Layout;
  /** How problems print; `bundle` and `stacksets` are the old spelling of --layout. */
  format: SharedOptions['format'] | Layout;
  environment?: string;
  region?: string;
  cidr?: string;
  all: boolean;
}

type Layout = 'bundle' | 'stacksets';
const LAYOUTS: readonly Layout[] = ['bundle', 'stacksets'];

/** The folder of an environment's stack sets under --out; no region is named so. */
const STACK_SETS_DIR = 'stacksets';

/**
 * `gantry export`: a self-contained bundle per environment and region (templates, parameter files,
 * tags, README, deploy.sh) for teams that deploy without gantry's workflows, or to a region the
 * spec does not list yet; or, with --layout stacksets, an environment's stack sets.
 */
export function exportCommand(io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, ExportOptions> {
  return {
    builder: (yargs) =>
      (yargs as Argv)
        .option('out', { type: 'string', default: 'export', describe: 'folder for the bundles (<out>/<env>/<region>/, or <out>/<env>/stacksets/)', normalize: true, requiresArg: true })
        .option('layout', {
          choices: LAYOUTS,
          default: 'bundle' as const,
          describe: 'bundle: templates and deploy.sh per environment and region; stacksets: an environment as CloudFormation StackSets',
        })
        // Until 0.1, --format named the layout; it still does, with a notice (choices add to the report formats).
        .choices('format', LAYOUTS)
        .describe('format', 'how to print problems (auto, human, json, github); bundle and stacksets are the deprecated spelling of --layout')
        .option('environment', { type: 'string', describe: 'an environment of the spec', requiresArg: true })
        .option('region', { type: 'string', describe: 'one of its regions, or a region it does not list yet', requiresArg: true })
        .option('cidr', { type: 'string', describe: "a new region's VPC CIDR (default: the next free one)", requiresArg: true })
        .option('all', { type: 'boolean', default: false, describe: 'every environment and region' })
        .example('$0 export --environment prod --region eu-west-1 --out bundles', 'one bundle')
        .example('$0 export --environment prod --region eu-central-1', 'roll prod out to a region the spec does not list yet')
        .example('$0 export --all', 'every environment and region')
        .example('$0 export --layout stacksets --environment prod', "prod's stack sets, with an instance per region")
        .example('$0 export --layout stacksets --environment prod --region eu-central-1', 'the same, with an instance in a region more') as unknown as Argv<ExportOptions>,
    handler: (args) => {
      let layout = args.layout;
      let format = args.format as SharedOptions['format'];
      if ((LAYOUTS as readonly string[]).includes(args.format)) {
        io.stderr(`gantry: --format ${args.format} is deprecated for export; use --layout ${args.format} (--format now says how problems print, as on every command)\n`);
        layout = args.format as Layout;
        format = 'auto';
      }
      const stackSets = layout === 'stacksets';
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
      const first = bundles.map((b) => planWrite(b.dir, args.spec, b.files));
      const plans = first.some((plan) => plan.conflicts.length > 0) ? first : withWriteLock(args.out, (recovered) => {
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
        dataOut(io)(formatReport(args.spec, failed.diagnostics, reportOptions(format, io)));
        return exit(failed.unreadable ? ExitCode.usage : ExitCode.invalid);
      }
    },
  };
}
