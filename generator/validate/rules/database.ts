import { engineVersionsDate, isDeprecatedForCreation, newestCreatable } from '../../aws/engine-versions';
import { error, warning, type Finding } from '../finding';
import { isNumber, type Rule } from '../rule';

/** Engines whose read replicas RDS supports (SQL Server: Enterprise Edition only). */
export const REPLICA_ENGINES = ['postgres', 'mysql', 'mariadb', 'sqlserver-ee'];

/**
 * What RDS accepts for the engine: SQL Server Express has no Multi-AZ; read replicas exist for
 * PostgreSQL, MySQL, MariaDB and SQL Server Enterprise, whose replicas need a Multi-AZ source
 * (Always On availability groups).
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_SQLServerMultiAZ.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/SQLServer.ReadReplicas.html
 */
export const databaseRule: Rule = ({ environments }) => {
  const findings: Finding[] = [];
  for (const environment of environments) {
    const database = environment.spec.database;
    if (!database) continue;
    const { engine, multiAz, readReplicas, version } = database;
    // A retired minor version fails the database stack's first deploy (and a replacement), after
    // the stacks before it have deployed: CreateDBInstance refuses it. cfn-lint reports it as W3691.
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_UpgradeDBInstance.PostgreSQL.Minor.html
    // With a newer minor of the same major known, the templates use it (as RDS's own minor upgrades
    // would) and gantry warns; with none, the spec cannot deploy.
    if (typeof engine === 'string' && typeof version === 'string' && isDeprecatedForCreation(engine, version)) {
      const newest = newestCreatable(engine, version);
      const listed = `one that \`aws rds describe-db-engine-versions --engine ${engine} --query "DBEngineVersions[].EngineVersion"\` lists`;
      const retired = `${engine} ${version} is deprecated: RDS no longer creates instances with it (gantry's copy of AWS's list, ${engineVersionsDate()})`;
      findings.push(newest
        ? warning('GNT234', ['database', 'version'], `${retired}; the templates use ${newest}, the newest ${engine} version of that major gantry knows`, `write version: "${newest}" (or ${listed}) to say so in the spec`, environment.name)
        : error('GNT234', ['database', 'version'], retired, `use ${listed}`, environment.name, [['database', 'engine']]));
    }
    if (engine === 'sqlserver-ex' && multiAz === true) {
      findings.push(error('GNT212', ['database', 'multiAz'], 'SQL Server Express Edition has no Multi-AZ deployment',
        'set multiAz: false, or use sqlserver-web, sqlserver-se or sqlserver-ee', environment.name, [['database', 'engine']]));
    }
    if (isNumber(readReplicas) && readReplicas > 0 && typeof engine === 'string' && !REPLICA_ENGINES.includes(engine)) {
      findings.push(error('GNT213', ['database', 'readReplicas'], `${engine} has no read replicas`,
        `read replicas exist for ${REPLICA_ENGINES.join(', ')}; set readReplicas: 0`, environment.name, [['database', 'engine']]));
    }
    if (engine === 'sqlserver-ee' && isNumber(readReplicas) && readReplicas > 0 && multiAz === false) {
      findings.push(error('GNT214', ['database', 'readReplicas'], 'SQL Server read replicas need a Multi-AZ source (Always On availability groups)',
        'set multiAz: true, or readReplicas: 0', environment.name, [['database', 'multiAz']]));
    }
  }
  return findings;
};
