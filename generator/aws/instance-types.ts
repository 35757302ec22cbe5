import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../paths';

/**
 * The EC2 instance types and RDS DB instance classes (per engine) AWS offers in each region, from
 * data/instance-types.json: AWS's price list as cfn-lint keeps it, refreshed by
 * scripts/refresh-instance-types.js (the file names its source and date). Each list is one
 * space-separated string, so the whole file parses in well under a millisecond and only the regions
 * a spec uses become sets.
 */
export const INSTANCE_TYPES_FILE = path.join(PACKAGE_ROOT, 'data', 'instance-types.json');

interface InstanceTypesFile {
  readonly ec2: Readonly<Record<string, string>>;
  readonly rds: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

let data: InstanceTypesFile | undefined;
const sets = new Map<string, ReadonlySet<string>>();

function load(): InstanceTypesFile {
  data ??= JSON.parse(fs.readFileSync(INSTANCE_TYPES_FILE, 'utf8')) as InstanceTypesFile;
  return data;
}

function setOf(key: string, list: string | undefined): ReadonlySet<string> | undefined {
  if (list === undefined) return undefined;
  let set = sets.get(key);
  if (!set) sets.set(key, (set = new Set(list === '' ? [] : list.split(' '))));
  return set;
}

/** The EC2 instance types offered in a region; undefined for a region the data does not hold. */
export function ec2InstanceTypes(region: string): ReadonlySet<string> | undefined {
  return setOf(`ec2 ${region}`, Object.hasOwn(load().ec2, region) ? load().ec2[region] : undefined);
}

/**
 * The DB instance classes RDS offers for an engine in a region: undefined for a region the data
 * does not hold; empty when the region holds no class for the engine (RDS does not offer it there).
 */
export function rdsInstanceClasses(region: string, engine: string): ReadonlySet<string> | undefined {
  const byEngine = Object.hasOwn(load().rds, region) ? load().rds[region] : undefined;
  if (!byEngine) return undefined;
  return setOf(`rds ${region} ${engine}`, Object.hasOwn(byEngine, engine) ? byEngine[engine] : '') ?? new Set();
}

/** Whether any region offers the EC2 instance type (to tell a typo from a regional gap). */
export function isEc2InstanceTypeAnywhere(type: string): boolean {
  return Object.values(load().ec2).some((list) => ` ${list} `.includes(` ${type} `));
}

/** Whether RDS offers the class for any engine in any region (to tell a typo from a gap). */
export function isRdsInstanceClassAnywhere(instanceClass: string): boolean {
  return Object.values(load().rds).some((byEngine) => Object.values(byEngine).some((list) => ` ${list} `.includes(` ${instanceClass} `)));
}

/** Whether the data holds the engine in any region (the schema reports engines RDS has not). */
export function isRdsEngine(engine: string): boolean {
  return Object.values(load().rds).some((byEngine) => Object.hasOwn(byEngine, engine));
}
