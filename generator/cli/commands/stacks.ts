import fs from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { EDGE_REGION } from '../../aws/regions';
import type { EnvironmentModel } from '../../model/types';
import { bootstrapRoleNames } from '../../stacks/role-names';
import { deployPlan, ownershipTags } from '../../stacks/plan';
import { didYouMean } from '../../util/suggest';
import { ExitCode, UsageError, type CliIo } from '../io';
import { dataOut, type SharedOptions } from '../options';
import { buildSide, modelOrExit } from './plan';

/**
 * What a deploy of this target deletes once the spec no longer has it (gantry-lib.sh removed_stacks):
 * a stack in its AWS region whose name starts with `prefix`, that carries every one of `tags`, that
 * CloudFormation runs as `executionRole`, and that is not in `keep`, every stack the environment deploys in that AWS region (a region's and the
 * global stacks share us-east-1) and its bootstrap. One target looks after each AWS region: the
 * region's own, or 'global' for us-east-1 when the environment has no stacks of its own there.
 */
function removalScope(project: string, environment: EnvironmentModel, target: string) {
  const regions = environment.regions.map((r) => r.region);
  if (target === 'global' && regions.includes(EDGE_REGION)) return undefined;
  const awsRegion = target === 'global' ? EDGE_REGION : target;
  const targets = awsRegion === EDGE_REGION ? [...(regions.includes(EDGE_REGION) ? [EDGE_REGION] : []), 'global'] : [target];
  const keep = targets.flatMap((t) => deployPlan(environment, t, () => 0).map((s) => s.stackName));
  const prefix = `${project}-${environment.name}-`;
  // gantry's stacks run as the bootstrap's execution role: a stack that does not is never deleted.
  const executionRole = `arn:aws:iam::${environment.account}:role/${bootstrapRoleNames(project, environment.name).execution}`;
  return { prefix, tags: ownershipTags(project, environment.name), executionRole, keep: [...new Set([...keep, environment.stackNames.bootstrap])].sort() };
}

interface StacksOptions extends SharedOptions {
  environment: string;
  region: string;
}

/**
 * `gantry stacks`: the stacks of an environment and region in deploy order, with their templates
 * and the parameters a deploy looks up, and the tags they carry, as JSON. The workflows read it, so their YAML holds no
 * ordering logic of its own. Every workflow job calls it, so it answers from the model and the
 * generated files without loading aws-cdk-lib.
 */
export function stacksCommand(io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, StacksOptions> {
  return {
    builder: (yargs) =>
      yargs
        .option('environment', { type: 'string', demandOption: true, describe: 'an environment of the spec', requiresArg: true })
        .option('region', { type: 'string', demandOption: true, describe: "one of its regions, or 'global' for its us-east-1 stacks", requiresArg: true })
        .example('$0 stacks --environment prod --region eu-west-1', 'what a deploy of prod in eu-west-1 runs, in order'),
    handler: (args) => {
      const read = modelOrExit(args, io);
      if ('exit' in read) return exit(read.exit);
      const { report } = read;
      const environment = report.model.environments.find((e) => e.name === args.environment);
      const names = report.model.environments.map((e) => e.name);
      if (!environment) throw new UsageError(`there is no environment "${args.environment}"; ${didYouMean(args.environment, names) ?? `the spec has ${names.join(', ')}`}`);
      const regions = [...environment.regions.map((r) => r.region), 'global'];
      if (!regions.includes(args.region)) {
        throw new UsageError(`environment "${environment.name}" has no region "${args.region}"; ${didYouMean(args.region, regions) ?? `choose one of ${regions.join(', ')}`}`);
      }
      // The deploy sends the template in the output folder, so its size is what decides an upload.
      // Only before the first generate (no such file) are the templates built to know it.
      let built: Map<string, number> | undefined;
      const bytes = (template: string) => {
        const stat = fs.statSync(path.join(args.out, template), { throwIfNoEntry: false });
        if (stat?.isFile()) return stat.size;
        built ??= buildSide().builtTemplateBytes(report.model, environment, args.region);
        return built.get(template) ?? 0;
      };
      const tags = ownershipTags(report.model.project, environment.name);
      const stacks = deployPlan(environment, args.region, bytes).map((s) => ({ ...s, template: path.join(args.out, s.template).split(path.sep).join('/'), tags }));
      const removal = removalScope(report.model.project, environment, args.region);
      dataOut(io)(`${JSON.stringify({ environment: environment.name, account: environment.account, region: args.region, stacks, ...(removal ? { removal } : {}) }, null, 2)}\n`);
      return exit(ExitCode.ok);
    },
  };
}
