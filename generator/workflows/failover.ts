import type { EnvironmentModel, PlatformModel } from '../model/types';
import { apiOriginDomainName } from '../stacks/names';
import type { Job, Workflow, WorkflowContext } from './model';
import { runScript } from './scripts';
import { environmentConcurrency, roleArn, scriptEnv } from './shared';
import { awsCredentials, checkout, installGantry, reportToSlack } from './steps';
import { JOB_MINUTES } from './timeouts';

/** A promotion can take a while on a large instance; the wait is bounded so a stuck one fails loudly. */
const WAIT_MINUTES = 60;

/**
 * gantry-failover.yml: by hand, when an environment's primary region is lost. A job per
 * multi-region environment, behind its GitHub environment (its required reviewers approve), makes
 * the chosen standby serve: the database promoted or restored, the API's failover records swapped,
 * the result to Slack, and the spec change to commit. Undefined when no environment has a standby.
 */
export function buildFailoverWorkflow(model: PlatformModel, context: WorkflowContext): Workflow | undefined {
  const environments = model.environments.filter((e) => e.regions.length > 1);
  if (environments.length === 0) return undefined;
  const standbys = [...new Set(environments.flatMap((e) => e.regions.filter((r) => !r.primary).map((r) => r.region)))];
  const jobs: Record<string, Job> = {};
  for (const environment of environments) jobs[`failover-${environment.name}`] = failoverJob(model, context, environment);
  return {
    file: 'gantry-failover.yml',
    name: 'gantry: failover',
    on: {
      workflow_dispatch: {
        inputs: {
          environment: { description: 'Environment whose primary region is lost', required: true, type: 'choice', options: environments.map((e) => e.name) },
          region: { description: 'Standby region to promote', required: true, type: 'choice', options: standbys },
        },
      },
    },
    permissions: {},
    // The chosen environment's deploy group: never while a deploy of it runs, and no deploy during
    // it. At the workflow's level, so the jobs of the other environments (skipped) hold no group.
    concurrency: environmentConcurrency('${{ inputs.environment }}'),
    jobs,
  };
}

function failoverJob(model: PlatformModel, context: WorkflowContext, environment: EnvironmentModel): Job {
  const primary = environment.regions.find((r) => r.primary)!;
  const standbys = environment.regions.filter((r) => !r.primary).map((r) => r.region);
  const database = primary.database;
  const mode = database ? (standbys.length > 0 ? database.crossRegion : 'none') : 'none';
  return {
    name: `Fail ${environment.name} over to \${{ inputs.region }}`,
    if: `inputs.environment == '${environment.name}' && contains(fromJSON('${JSON.stringify(standbys)}'), inputs.region)`,
    'runs-on': 'ubuntu-latest',
    environment: environment.name,
    permissions: { contents: 'read', 'id-token': 'write' },
    'timeout-minutes': JOB_MINUTES.failover,
    steps: [
      checkout(),
      ...installGantry({ idToken: true }),
      awsCredentials(roleArn(model, environment, 'failover'), '${{ inputs.region }}', `gantry-failover-${environment.name}`, JOB_MINUTES.failover),
      {
        name: 'Promote the standby, then point the API at it',
        env: {
          ...scriptEnv(environment, context),
          ENVIRONMENT: environment.name,
          TARGET_REGION: '${{ inputs.region }}',
          PRIMARY_REGION: primary.region,
          MODE: mode,
          DATABASE_STACK: primary.stackNames.database,
          // CloudFormation names an instance after its stack and logical id, in lower case.
          DATABASE_PREFIX: `${primary.stackNames.database}-database`.toLowerCase(),
          INSTANCE_CLASS: database?.instanceClass ?? '',
          MULTI_AZ: String(database?.multiAz ?? false),
          BACKUP_RETENTION_DAYS: String(database?.backupRetentionDays ?? 7),
          HOSTED_ZONE: environment.edge?.zone ?? '',
          ORIGIN_NAME: environment.edge?.originTier ? apiOriginDomainName(environment.edge.domain) : '',
          WAIT_MINUTES: String(WAIT_MINUTES),
        },
        run: runScript('gantry-failover.sh'),
      },
      ...reportToSlack(environment.notifications.webhookSecret, `gantry failover of ${model.project} ${environment.name} to \${{ inputs.region }}`, context),
    ],
  };
}
