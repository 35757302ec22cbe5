import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../paths';

/**
 * RDS engine versions AWS no longer creates instances with (CreateDBInstance refuses them; cfn-lint
 * reports W3691), and the ones it does, from data/rds-engine-versions.json (cfn-lint's lists, built
 * from RDS DescribeDBEngineVersions; refreshed by scripts/refresh-rds-engine-versions.js).
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_UpgradeDBInstance.Maintenance.html
 */
export const ENGINE_VERSIONS_FILE = path.join(PACKAGE_ROOT, 'data', 'rds-engine-versions.json');

interface EngineVersionsFile {
  readonly copied: string;
  readonly deprecated: Readonly<Record<string, string>>;
  readonly creatable: Readonly<Record<string, string>>;
}

let data: EngineVersionsFile | undefined;
function load(): EngineVersionsFile {
  data ??= JSON.parse(fs.readFileSync(ENGINE_VERSIONS_FILE, 'utf8')) as EngineVersionsFile;
  return data;
}
const list = (text: string | undefined) => (text ? text.split(' ') : []);

/** The date the lists were copied, for messages. */
export function engineVersionsDate(): string {
  return load().copied;
}

/** Whether AWS lists this version of the engine as deprecated: no new instance can be created with it. */
export function isDeprecatedForCreation(engine: string, version: string): boolean {
  return list(load().deprecated[engine]).includes(version);
}

/**
 * The major version RDS groups minors under: PostgreSQL `16` of 16.4, MySQL and MariaDB `8.0` of
 * 8.0.39, SQL Server `15.00` of 15.00.4415.2.v1.
 */
export function majorVersion(engine: string, version: string): string {
  const parts = version.split('.');
  return engine === 'postgres' ? parts[0] ?? version : parts.slice(0, 2).join('.');
}

/** The newest version of the same major that RDS still creates instances with, if the data knows one. */
export function newestCreatable(engine: string, version: string): string | undefined {
  const major = majorVersion(engine, version);
  const same = list(load().creatable[engine]).filter((v) => v !== major && majorVersion(engine, v) === major);
  return same[same.length - 1];
}
