import { applyRegionTier, CROSS_REGION_REPLICA_ENGINES } from '../../model/defaults';
import type { Engine, RegionTierSpec } from '../../model/spec-types';
import { isPlainObject } from '../../spec/path';
import { didYouMean } from '../../util/suggest';
import { error, warning, type Finding } from '../finding';
import { isNumber, type Rule } from '../rule';

/** RDS allows at most this many read replicas per source instance, in its region and others together. */
const MAX_REPLICAS_PER_SOURCE = 5;

/**
 * A multi-region environment has exactly one primary region, a way for data to reach the standbys
 * that RDS offers for the engine, and per-region tier settings that name real tiers and sizes an
 * Auto Scaling group accepts.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/SQLServer.ReadReplicas.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html
 */
export const multiRegionRule: Rule = ({ environments }) => {
  const findings: Finding[] = [];
  for (const environment of environments) {
    const primaries = environment.regions.filter((r) => r.role === 'primary');
    for (const extra of primaries.slice(1)) {
      findings.push(error('GNT240', [...extra.path, 'role'], `${extra.name ?? 'this region'} is a second primary region; an environment has exactly one`,
        `set role: standby, or remove it (the primary is ${primaries[0]?.name ?? 'the first region'})`));
    }
    if (environment.regions.length > 1 && environment.regions.every((r) => r.role === 'standby')) {
      const first = environment.regions[0]!;
      findings.push(error('GNT240', [...first.path, 'role'], 'every region is a standby; an environment has exactly one primary region',
        'set role: primary on the region that holds the writable database'));
    }

    const database = environment.spec.database;
    const standbys = environment.regions.length - 1;
    if (database && standbys > 0) {
      const { engine, crossRegion, multiAz, readReplicas } = database;
      const path = ['database', 'crossRegion'];
      if (crossRegion === 'replica' && typeof engine === 'string' && !CROSS_REGION_REPLICA_ENGINES.includes(engine as Engine)) {
        findings.push(error('GNT241', path,
          `${engine} has no cross-region read replicas (RDS for SQL Server has read replicas in Enterprise Edition only)`,
          'use crossRegion: backups (automated backups replicated to the standby region, restored on failover), or engine sqlserver-ee',
          environment.name, [['database', 'engine']]));
      }
      if (crossRegion === 'replica' && engine === 'sqlserver-ee' && multiAz === false) {
        findings.push(error('GNT242', path, 'SQL Server read replicas need a Multi-AZ source (Always On availability groups)',
          'set database.multiAz: true, or crossRegion: backups', environment.name, [['database', 'multiAz']]));
      }
      if (crossRegion === 'replica' && isNumber(readReplicas) && readReplicas + standbys > MAX_REPLICAS_PER_SOURCE) {
        findings.push(error('GNT243', ['database', 'readReplicas'],
          `${readReplicas} read replicas plus ${standbys} cross-region replicas is more than the ${MAX_REPLICAS_PER_SOURCE} RDS allows per source instance`,
          `use at most ${MAX_REPLICAS_PER_SOURCE - standbys}`, environment.name, [path]));
      }
      if (crossRegion === 'backups' && standbys > 1) {
        findings.push(error('GNT247', path, `RDS replicates an instance's automated backups to one other region only, and environment "${environment.name}" has ${standbys} standby regions`,
          'keep one standby region, or use an engine with cross-region read replicas and crossRegion: replica', environment.name));
      }
      if (crossRegion === 'none') {
        findings.push(warning('GNT244', path,
          `the standby regions of environment "${environment.name}" hold no copy of the data: after a failover they serve without the database`,
          'use replica or backups unless the standby tiers need no database', environment.name));
      }
    }

    if (environment.spec.edge && standbys > 1) {
      findings.push(warning('GNT248', ['edge'], `Route 53 failover has one primary and one secondary record: the API fails over to the first standby region of environment "${environment.name}" only`,
        'list the standby that should take over first', environment.name));
    }

    const tierNames = environment.spec.tiers.map((t) => t.name);
    for (const region of environment.regions) {
      if (!isPlainObject(region.tiers)) continue;
      for (const [name, settings] of Object.entries(region.tiers)) {
        const at = [...region.path, 'tiers', name];
        const tier = environment.spec.tiers.find((t) => t.name === name);
        if (!tier) {
          findings.push(error('GNT245', at, `"${name}" is not a tier of the spec`, didYouMean(name, tierNames) ?? `tiers are: ${tierNames.join(', ')}`));
          continue;
        }
        const { min, max, desired } = applyRegionTier(tier, settings as RegionTierSpec).capacity;
        const capacity = [...at, 'capacity'];
        if (isNumber(min) && isNumber(max) && min > max) {
          findings.push(error('GNT246', capacity, `min (${min}) must be <= max (${max}) in ${region.name ?? 'this region'}`, 'set both min and max for the region'));
        } else if (isNumber(desired) && isNumber(min) && isNumber(max) && (desired < min || desired > max)) {
          findings.push(error('GNT246', capacity, `desired (${desired}) must be between min (${min}) and max (${max}) in ${region.name ?? 'this region'}`, 'set desired for the region, or leave it to follow min'));
        }
      }
    }
  }
  return findings;
};
