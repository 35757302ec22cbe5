import type { DatabaseModel, EnvironmentModel } from '../model/types';

/*
 * Names and choices that a template and the files beside it (the workflows, the README, a
 * rehearsal) must agree on. This module loads no aws-cdk-lib, so the workflows and the README are
 * written without it.
 */

/**
 * The one name CloudFront uses for the API of an environment, whichever region serves it: Route 53
 * answers it with the primary region's load balancer while that is healthy, else the standby's.
 */
export function apiOriginDomainName(domain: string): string {
  return `api-origin.${domain}`;
}

/**
 * Whether the primary's master password must live in a secret the stack creates instead of one RDS
 * manages: RDS refuses to create a read replica (same-region or cross-region) of a source whose
 * master password it manages in Secrets Manager, for every engine except SQL Server.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations
 */
export function needsOwnMasterSecret(environment: EnvironmentModel, database: DatabaseModel): boolean {
  if (database.family === 'sqlserver') return false;
  return database.readReplicas > 0 || environment.regions.some((r) => r.databaseRole === 'replica');
}

/** The name of the master secret a stack creates: `<database stack>-master`, so a standby's tiers know it before it exists. */
export function masterSecretName(databaseStack: string): string {
  return `${databaseStack}-master`;
}
