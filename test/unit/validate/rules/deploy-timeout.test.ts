import { deployTimeoutRule, durationSeconds } from '../../../../generator/validate/rules/deploy-timeout';
import { ruleFindings } from '../../../helpers';

describe('deployTimeoutRule', () => {
  test.each([
    ['the default PT15M', undefined, []],
    ['PT1H exactly', 'PT1H', []],
    ['PT59M59S', 'PT59M59S', []],
    ['PT61M', 'PT61M', ['GNT225 tiers.web.deploy.timeout @prod']],
    ['PT2H', 'PT2H', ['GNT225 tiers.web.deploy.timeout @prod']],
    ['PT0S', 'PT0S', ['GNT225 tiers.web.deploy.timeout @prod']],
    ['not a duration (the schema says so)', '15m', []],
  ])('%s', (_name, timeout, expected) => {
    expect(ruleFindings(deployTimeoutRule, timeout ? { tiers: { web: { deploy: { timeout } } } } : {})).toEqual(expected);
  });

  test.each([
    ['PT15M', 900],
    ['PT1H30M', 5400],
    ['PT45S', 45],
    ['PT', undefined],
    ['P1D', undefined],
  ])('durationSeconds(%s) = %s', (text, seconds) => {
    expect(durationSeconds(text)).toBe(seconds);
  });
});
