/**
 * How long each kind of job may run (its `timeout-minutes`). The AWS role session a job asks for
 * (`role-duration-seconds`) lasts as long as the job, and each bootstrap role's
 * `MaxSessionDuration` covers the longest job that assumes it, so credentials never expire in the
 * middle of a CloudFormation wait. IAM allows sessions of 1 to 12 hours; GitHub-hosted jobs stop
 * after 6 hours.
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (MaxSessionDuration)
 * @see https://docs.github.com/en/actions/reference/limits (job execution time)
 */
export const JOB_MINUTES = {
  /** gantry check: no AWS. */
  check: 10,
  /** Change sets of one environment and region, in pull requests and before a deploy's approval. */
  plan: 45,
  /** Every stack of one environment, its regions one after another, then its global stacks. */
  deploy: 300,
  /** A release or rollback of one tier, region after region (AMI copies, rolling updates). */
  release: 240,
  /** Drift detection on the stacks of one environment and region. */
  drift: 60,
  comment: 10,
  /** A failover: the database promotion or restore (bounded by its own wait), then the DNS records. */
  failover: 90,
  /** A step of the origin secret's rotation: a few Secrets Manager calls and the wait for its replicas. */
  originSecret: 15,
} as const;

/** One stack of a deploy may take this long before the job gives up waiting (RDS Multi-AZ creation with replicas is the slowest). */
export const STACK_DEPLOY_MINUTES = 120;

/** The session a job asks for: as long as the job may run. */
export function sessionSeconds(minutes: number): number {
  return minutes * 60;
}

/** The bootstrap roles' MaxSessionDuration, from the longest job that assumes each. */
export const ROLE_SESSION_SECONDS = {
  deploy: sessionSeconds(Math.max(JOB_MINUTES.deploy, JOB_MINUTES.release)),
  changeSets: sessionSeconds(Math.max(JOB_MINUTES.plan, 60)),
  drift: sessionSeconds(Math.max(JOB_MINUTES.drift, 60)),
  failover: sessionSeconds(Math.max(JOB_MINUTES.failover, 60)),
} as const;
