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
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(databaseRule, fragment)).toEqual(expected);
  });
});
