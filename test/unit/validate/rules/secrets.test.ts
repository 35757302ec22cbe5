import { secretsRule } from '../../../../generator/validate/rules/secrets';
import { ruleFindings } from '../../../helpers';

describe('secretsRule', () => {
  test.each([
    ['no secrets', {}, []],
    ['a webhook secret name', { notifications: { slack: { webhookSecret: 'SLACK_WEBHOOK_URL' } } }, []],
    ['a Slack webhook URL', { notifications: { slack: { webhookSecret: 'https://hooks.slack.com/services/T0/B0/xyz' } } },
      ['GNT223 notifications.slack.webhookSecret']],
    ['an AWS access key in a tag', { tags: { Owner: 'AKIAIOSFODNN7EXAMPLE' } }, ['GNT223 tags.Owner']],
    ['a private key', { description: '-----BEGIN RSA PRIVATE KEY-----\nabc' }, ['GNT223 description']],
    ['a GitHub token', { tags: { Ci: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' } }, ['GNT223 tags.Ci']],
    ['a Slack token', { tags: { Bot: 'xoxb-1234567890-abcdefghij' } }, ['GNT223 tags.Bot']],
    ['a URL with a password', { description: 'postgres://admin:hunter2@db.example.com/app' }, ['GNT223 description']],
    ['a password-like key', { tags: { DbPassword: 'hunter2' } }, ['GNT223 tags.DbPassword']],
    ['an API key-like key', { tags: { 'api-key': 'abc' } }, ['GNT223 tags.api-key']],
    ['inside an override', { environments: { prod: { overrides: { tags: { Token: 'abc' } } } } }, ['GNT223 environments.prod.overrides.tags.Token']],
    ['an ordinary URL', { description: 'see https://example.com/docs' }, []],
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(secretsRule, fragment)).toEqual(expected);
  });
});
