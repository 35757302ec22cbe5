import { ec2InstanceTypes, rdsInstanceClasses } from '../../../../generator/aws/instance-types';
import { REGION_AVAILABILITY_ZONES } from '../../../../generator/aws/regions';
import { buildRuleContext } from '../../../../generator/validate';
import { instanceTypesRule } from '../../../../generator/validate/rules/instance-types';
import { documentWith, ruleFindings } from '../../../helpers';

const web = (instanceType: unknown) => ({ tiers: { web: { instanceType } } });
const db = (fields: object) => ({ database: { version: '1', engine: 'postgres', ...fields } });
const regions = (list: unknown[]) => ({ environments: { prod: { regions: list } } });
const messages = (fragment: object) => instanceTypesRule(buildRuleContext(documentWith(fragment))).map((f) => `${f.message} | ${f.hint}`);

describe('instanceTypesRule', () => {
  test.each([
    ['the default types', {}, []],
    ['a current type', web('m7i.large'), []],
    ['a typo', web('t3.mediun'), ['GNT231 tiers.web.instanceType @prod']],
    ['a type one of two regions lacks', { ...web('c5a.large'), ...regions(['eu-west-1', { name: 'eu-south-2', cidr: '10.1.0.0/16' }]) }, ['GNT231 tiers.web.instanceType @prod']],
    ['an unknown region (the regions rule reports it)', { ...web('t3.mediun'), ...regions(['eu-wst-1']) }, []],
    ['a type that is not text (the schema reports it)', web(3), []],
    ['an engine RDS does not have (the schema reports it)', db({ engine: 'postgresql' }), []],
    ['a database class', db({ instanceClass: 'db.r6g.large' }), []],
    ['a database class typo', db({ instanceClass: 'db.r6g.lrage' }), ['GNT231 database.instanceClass @prod']],
    ['the default class for an engine that does not run on it', db({ engine: 'sqlserver-se' }), ['GNT231 database.instanceClass @prod']],
    ['SQL Server Standard on a class it runs on', db({ engine: 'sqlserver-se', instanceClass: 'db.m6i.xlarge' }), []],
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(instanceTypesRule, fragment)).toEqual(expected);
  });

  it('suggests the type meant, names the regions that lack one, and says when the default is the problem', () => {
    expect(messages(web('t3.mediun'))).toEqual(['"t3.mediun" is not an EC2 instance type | did you mean "t3.medium"?']);
    expect(messages({ ...web('c5a.large'), ...regions(['eu-west-1', { name: 'eu-south-2', cidr: '10.1.0.0/16' }]) }))
      .toEqual(['EC2 does not offer c5a.large in eu-south-2 | the nearest offered there is c5.large']);
    expect(messages(db({ engine: 'sqlserver-se' })))
      .toEqual(["RDS does not offer db.t3.medium (gantry's default) for sqlserver-se in eu-west-1 | offered in the db.t3 family there: db.t3.2xlarge, db.t3.xlarge"]);
  });
});

describe('data/instance-types.json', () => {
  it('holds every region gantry knows, with the default types and the engines of the schema', () => {
    for (const region of Object.keys(REGION_AVAILABILITY_ZONES)) {
      expect([region, ec2InstanceTypes(region)?.has('t3.small')]).toEqual([region, true]);
      expect([region, rdsInstanceClasses(region, 'postgres')?.has('db.t3.medium')]).toEqual([region, true]);
    }
    expect(ec2InstanceTypes('cn-north-1')).toBeUndefined();
    expect(rdsInstanceClasses('eu-west-1', 'oracle-ee')).toEqual(new Set());
  });
});
