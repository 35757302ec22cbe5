import { isDeprecatedForCreation, majorVersion, newestCreatable } from '../../../../generator/aws/engine-versions';
import { databaseRule } from '../../../../generator/validate/rules/database';
import { ruleFindings } from '../../../helpers';

const db = (fields: object) => ({ database: { version: '1', ...fields } });

describe('databaseRule', () => {
  test.each([
    ['postgres with a replica', db({ engine: 'postgres', readReplicas: 2 }), []],
    ['Express is Multi-AZ by default', db({ engine: 'sqlserver-ex' }), ['GNT212 database.multiAz @prod']],
    ['Express single-AZ', db({ engine: 'sqlserver-ex', multiAz: false }), []],
    ['Web Edition has Multi-AZ (block-level replication)', db({ engine: 'sqlserver-web' }), []],
    ['Standard Edition has no replicas', db({ engine: 'sqlserver-se', readReplicas: 1 }), ['GNT213 database.readReplicas @prod']],
    ['Enterprise Edition has replicas', db({ engine: 'sqlserver-ee', readReplicas: 1 }), []],
    ['Enterprise replicas need Multi-AZ', db({ engine: 'sqlserver-ee', readReplicas: 1, multiAz: false }), ['GNT214 database.readReplicas @prod']],
    ['mariadb with a replica', db({ engine: 'mariadb', readReplicas: 1 }), []],
    ['PostgreSQL 16.4, which RDS no longer creates', db({ engine: 'postgres', version: '16.4' }), ['GNT234 database.version @prod']],
    ['PostgreSQL 16.13', db({ engine: 'postgres', version: '16.13' }), []],
    ['MySQL 8.0.39, which RDS no longer creates', db({ engine: 'mysql', version: '8.0.39' }), ['GNT234 database.version @prod']],
    ['MySQL 8.0.46', db({ engine: 'mysql', version: '8.0.46' }), []],
    ['SQL Server 15.00.4415.2.v1', db({ engine: 'sqlserver-se', version: '15.00.4415.2.v1' }), []],
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(databaseRule, fragment)).toEqual(expected);
  });
});

describe('retired engine versions', () => {
  it('warns, and says the templates use the newest version of the same major', () => {
    const [finding] = databaseRule({ environments: [{ name: 'prod', spec: { database: { engine: 'postgres', version: '16.4' } } }] } as never);
    expect(finding!.severity).toBe('warning');
    expect(finding!.message).toMatch(/^postgres 16\.4 is deprecated: RDS no longer creates instances with it .*; the templates use 16\.13/);
    expect(finding!.hint).toContain('write version: "16.13"');
  });

  it('is an error when no version of that major can be created any more', () => {
    const [finding] = databaseRule({ environments: [{ name: 'prod', spec: { database: { engine: 'postgres', version: '9.6.24' } } }] } as never);
    expect(finding!.severity).toBe('error');
    expect(finding!.message).toMatch(/^postgres 9\.6\.24 is deprecated/);
  });

  it('keeps the data lists in step with what the schema allows', () => {
    expect(isDeprecatedForCreation('postgres', '16.4')).toBe(true);
    expect(newestCreatable('mysql', '8.0.39')).toBe('8.0.46');
    expect(newestCreatable('sqlserver-se', '15.00.4415.2.v1')).toMatch(/^15\.00\./);
    expect(majorVersion('sqlserver-se', '15.00.4415.2.v1')).toBe('15.00');
  });
});
