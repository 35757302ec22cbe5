import { Fn, Token } from 'aws-cdk-lib';
import type { EnvironmentModel, RegionModel, TierModel } from '../model/types';
import { importValue } from './cdk';
import { masterSecretName, needsOwnMasterSecret } from './names';

/**
 * What a tier listed in `database.clients` may do with the database, as statements of its instance
 * role: read the master secret, decrypt it with the database key only through Secrets Manager, and
 * connect with IAM database authentication as the database user named after the tier, to the
 * instance and its read replicas in its own region. Other tiers get none of it.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-authz
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html
 */
export function databaseClientStatements(environment: EnvironmentModel, region: RegionModel, tier: TierModel, primaryRegion: () => string = () => environment.primaryRegion): Record<string, unknown>[] {
  const database = region.database;
  if (!database || !database.clients.includes(tier.name)) return [];
  if (region.databaseRole !== 'primary' && region.databaseRole !== 'replica') return [];
  const imported = (output: string) => importValue('database', { environment, region }, output);
  const statements: Record<string, unknown>[] = [];

  // The secret lives in the primary region; a standby's replica uses its source's password.
  const primary = environment.regions.find((r) => r.primary);
  if (region.databaseRole === 'primary') {
    statements.push(
      { Sid: 'ReadTheDatabaseSecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: imported('MasterSecretArn') },
      {
        Sid: 'DecryptTheDatabaseSecret', Effect: 'Allow', Action: 'kms:Decrypt', Resource: imported('KeyArn'),
        Condition: { StringEquals: { 'kms:ViaService': Fn.sub('secretsmanager.${AWS::Region}.amazonaws.com') } },
      },
    );
  } else if (primary && needsOwnMasterSecret(environment, database)) {
    // The primary's secret has a fixed name; Secrets Manager adds six random characters to its ARN.
    // A stack set's template names the primary region by a parameter (primaryRegion()), never literally.
    const home = primaryRegion();
    const secret = sub(`arn:\${AWS::Partition}:secretsmanager:\${PrimaryRegion}:\${AWS::AccountId}:secret:${masterSecretName(primary.stackNames.database)}-??????`, home);
    statements.push(
      { Sid: 'ReadTheDatabaseSecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secret },
      {
        // The primary region's key is known there only: any key, but only to decrypt that one secret through Secrets Manager.
        Sid: 'DecryptTheDatabaseSecret', Effect: 'Allow', Action: 'kms:Decrypt',
        Resource: sub('arn:${AWS::Partition}:kms:${PrimaryRegion}:${AWS::AccountId}:key/*', home),
        Condition: {
          StringEquals: { 'kms:ViaService': sub('secretsmanager.${PrimaryRegion}.amazonaws.com', home) },
          StringLike: { 'kms:EncryptionContext:SecretARN': secret },
        },
      },
    );
  }

  // IAM database authentication exists for PostgreSQL, MySQL and MariaDB only.
  if (database.family !== 'sqlserver') {
    const replicas = region.databaseRole === 'primary' ? database.readReplicas : 0;
    const ids = ['DatabaseResourceId', ...Array.from({ length: replicas }, (_, i) => `ReadReplica${i + 1}ResourceId`)];
    statements.push({
      Sid: 'ConnectAsThisTiersDatabaseUser', Effect: 'Allow', Action: 'rds-db:connect',
      Resource: ids.map((id) => Fn.sub(`arn:\${AWS::Partition}:rds-db:\${AWS::Region}:\${AWS::AccountId}:dbuser:\${ResourceId}/${tier.name}`, { ResourceId: imported(id) })),
    });
  }
  return statements;
}

/** `${PrimaryRegion}` written in when it is a literal; a parameter's reference stays a variable of Fn::Sub. */
function sub(text: string, primaryRegion: string): unknown {
  if (Token.isUnresolved(primaryRegion)) return Fn.sub(text, { PrimaryRegion: primaryRegion });
  const literal = text.split('${PrimaryRegion}').join(primaryRegion);
  return literal.includes('${') ? Fn.sub(literal) : literal;
}

/**
 * What the permissions boundary lets the platform's roles do with the environment's databases:
 * read the master secrets (the one a database stack creates, named after the environment, or the
 * one RDS manages, `rds!db-…`) and connect with IAM database authentication (rds-db:connect, in
 * the boundary's statement on "*": IAM database authentication works within the account only).
 * Each role's own policy narrows both to its database; a boundary only caps.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
 */
export const DATABASE_CLIENT_BOUNDARY_ACTIONS = ['rds-db:connect'];

export function databaseBoundaryStatement(prefix: string): Record<string, unknown>[] {
  return [{
    Sid: 'DatabaseSecrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue',
    Resource: [`${prefix}-*`, 'rds!db-*'].map((name) => Fn.sub(`arn:\${AWS::Partition}:secretsmanager:*:\${AWS::AccountId}:secret:${name}`)),
  }];
}
