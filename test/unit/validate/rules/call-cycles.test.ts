import { callCyclesRule } from '../../../../generator/validate/rules/call-cycles';
import { ruleFindings } from '../../../helpers';

describe('callCyclesRule', () => {
  test.each([
    ['one direction', { tiers: { api: { from: ['web'] } } }, []],
    ['two tiers calling each other', { tiers: { web: { from: ['api'] }, api: { from: ['web'] } } }, ['GNT229 tiers.api.from[0] @prod']],
    ['a cycle of three', { tiers: { web: { from: ['db'] }, api: { from: ['web'] }, db: { from: ['api'] } } }, ['GNT229 tiers.api.from[0] @prod']],
    ['a chain', { tiers: { web: {}, api: { from: ['web'] }, db: { from: ['api'] } } }, []],
    ['a tier listing itself is the references rule\'s business', { tiers: { api: { from: ['api'] } } }, []],
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(callCyclesRule, fragment)).toEqual(expected);
  });
});
