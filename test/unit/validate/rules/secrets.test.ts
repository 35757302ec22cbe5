import fs from 'node:fs';
import path from 'node:path';
import { loadSpecText } from '../../../../generator/spec/load';
import { validateSpec } from '../../../../generator/validate';
import { entropy, findSecret } from '../../../../generator/validate/rules/secret-patterns';
import { secretsRule } from '../../../../generator/validate/rules/secrets';
import { REPO_ROOT, ruleFindings } from '../../../helpers';

// Test values only: AWS's documented example keys, and tokens made of a repeated alphabet.
const AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const GHP = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
const GITHUB_PAT = 'github_pat_11ABCDEFG0abcdefghijkl_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456';
const SLACK_HOOK = 'hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';

describe('secretsRule', () => {
  test.each([
    ['no secrets', {}, []],
    ['a webhook secret name', { notifications: { slack: { webhookSecret: 'SLACK_WEBHOOK_URL' } } }, []],
    ['a Slack webhook URL', { notifications: { slack: { webhookSecret: `https://${SLACK_HOOK}` } } },
      ['GNT223 notifications.slack.webhookSecret']],
    ['a Slack webhook without its scheme, in a text', { description: `alerts go to ${SLACK_HOOK} for now` }, ['GNT223 description']],
    ['an AWS access key in a tag', { tags: { Owner: AWS_KEY_ID } }, ['GNT223 tags.Owner']],
    ['an AWS secret key in a tag', { tags: { Note: AWS_SECRET } }, ['GNT223 tags.Note']],
    ['an AWS secret key inside a sentence', { description: `key ${AWS_SECRET} rotated` }, ['GNT223 description']],
    ['a PEM private key', { description: '-----BEGIN RSA PRIVATE KEY-----\nabc' }, ['GNT223 description']],
    ['a PKCS#8 private key', { description: '-----BEGIN PRIVATE KEY-----\nabc' }, ['GNT223 description']],
    ['an OpenSSH private key', { description: '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=' }, ['GNT223 description']],
    ['a PGP private key block', { description: '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF0' }, ['GNT223 description']],
    ['a classic GitHub token', { tags: { Ci: GHP } }, ['GNT223 tags.Ci']],
    ['a GitHub app token', { tags: { Ci: `ghs_${GHP.slice(4)}` } }, ['GNT223 tags.Ci']],
    ['a fine-grained GitHub token', { description: `token ${GITHUB_PAT}` }, ['GNT223 description']],
    ['a Slack token', { tags: { Bot: 'xoxb-1234567890-abcdefghij' } }, ['GNT223 tags.Bot']],
    ['a URL with a password', { description: 'postgres://admin:hunter2@db.example.com/app' }, ['GNT223 description']],
    ['a URL with a password inside a text', { description: 'the old database was postgres://admin:hunter2@db.example.com/app, now gone' }, ['GNT223 description']],
    ['a password-like key', { tags: { DbPassword: 'hunter2' } }, ['GNT223 tags.DbPassword']],
    ['an API key-like key', { tags: { 'api-key': 'abc' } }, ['GNT223 tags.api-key']],
    ['inside an override', { environments: { prod: { overrides: { tags: { Token: 'abc' } } } } }, ['GNT223 environments.prod.overrides.tags.Token']],
    // Keys land in templates as surely as values; the finding sits on the mapping so its path never prints the key.
    ['an AWS key id as a tag key', { tags: { [AWS_KEY_ID]: 'x' } }, ['GNT223 tags']],
    ['a GitHub token as a tag key', { tags: { [GHP]: 'x' } }, ['GNT223 tags']],
    ['a Slack webhook as a tag key', { tags: { [SLACK_HOOK]: 'x' } }, ['GNT223 tags']],
    ['a secret key as a tag key in an override', { environments: { prod: { overrides: { tags: { [AWS_SECRET]: 'x' } } } } }, ['GNT223 environments.prod.overrides.tags']],
    ['a token glued to a prefix', { tags: { Ci: `CI_${GHP}`, Key: `key=${AWS_KEY_ID}` } }, ['GNT223 tags.Ci', 'GNT223 tags.Key']],
    ['an ordinary URL', { description: 'see https://example.com/docs' }, []],
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(secretsRule, fragment)).toEqual(expected);
  });

  // What a spec legitimately holds: none of it may be taken for a secret.
  test.each([
    'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
    '/acme/shop/images/web/latest-approved-ami-id', // an SSM parameter path, 40+ characters
    '/company/platform/images/webserver/latest',
    'company/platform/images/webserver/latest',
    '0123456789abcdef0123456789abcdef01234567', // a git commit SHA
    'ThisIsAPlainEnglishSentenceWithoutSpaces', // 40 letters, no digit
    'Customer portal for outdated, damaged and unused pharmaceutical returns',
    'https://user@example.com/repo.git', // a user, no password
    'ssh://git@github.com/acme/shop.git',
    'mailto:ops@example.com',
    'see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-whatis.html',
    'AKIA is how AWS key ids start',
    'ghp_short',
    'hooks.slack.com', // the host alone
    '-----BEGIN CERTIFICATE-----', // public
    '-----BEGIN PUBLIC KEY-----',
    'team:platform@acme', // no scheme
    'prod-eu-west-1-web-AutoScalingGroup-1A2B3C4D5E6F', // a physical id
  ])('does not take "%s" for a secret', (text) => {
    expect(findSecret(text)).toBeUndefined();
  });

  it('tells random keys from words by entropy', () => {
    expect(entropy(AWS_SECRET)).toBeGreaterThan(4.5);
    expect(entropy('/company/platform/images/webserver/latest')).toBeLessThan(4.1);
  });

  const specDirs = ['examples', 'test/specs', '../shared/specs'];
  const specs = specDirs.flatMap((dir) => {
    const full = path.join(REPO_ROOT, dir);
    return fs.existsSync(full) ? fs.readdirSync(full).filter((f) => f.endsWith('.yaml')).map((f) => path.join(dir, f)) : [];
  });
  test.each(specs)('flags nothing in %s', (file) => {
    const loaded = loadSpecText(file, fs.readFileSync(path.join(REPO_ROOT, file)));
    if (!loaded.ok) throw new Error(`${file} does not load`);
    expect(secretsRule({ document: loaded.spec.data, project: 'p', environments: [] })).toEqual([]);
  });
  it('checks the examples and test specs', () => {
    expect(specs.filter((s) => s.startsWith('examples/')).length).toBeGreaterThanOrEqual(3);
    expect(specs.filter((s) => s.startsWith('test/specs/')).length).toBeGreaterThanOrEqual(4);
  });
});

describe('secret diagnostics', () => {
  const base = fs.readFileSync(path.join(REPO_ROOT, 'examples/minimal.yaml'), 'utf8');
  const validate = (extra: string) => {
    const loaded = loadSpecText('environment.yaml', Buffer.from(`${base}${extra}`));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
    return validateSpec(loaded.spec).diagnostics;
  };
  const lineOf = (extra: string, needle: string) => `${base}${extra}`.split('\n').findIndex((l) => l.includes(needle)) + 1;

  test.each([
    ['a tag key', `tags:\n  Team: shop\n  ${AWS_KEY_ID}: x\n`, AWS_KEY_ID, 'IOSFODNN', 'an AWS access key id (AKIA…)'],
    ['a tag value', `tags:\n  Note: ${AWS_SECRET}\n`, AWS_SECRET, 'XUtnFEMI', 'an AWS secret access key (wJal…)'],
    ['a block scalar', `description: |\n  Our platform.\n  -----BEGIN OPENSSH PRIVATE KEY-----\n  b3BlbnNzaC1rZXktdjE\n`, '-----BEGIN OPENSSH PRIVATE KEY-----', 'b3BlbnNz',
      'a private key (-----BEGIN OPENSSH PRIVATE KEY-----)'],
    ['a sentence', `description: "the db: postgres://admin:s3cr3t-pw@db.internal/app"\n`, 'postgres://admin:s3cr3t-pw@', 's3cr3t', 'a URL with a password in it (postgres://…:…@)'],
    ['a webhook without scheme', `description: ${SLACK_HOOK}\n`, SLACK_HOOK, 'T00000000', 'a Slack webhook URL (hooks.slack.com/services/…)'],
  ])('in %s: points at the secret, shows a redacted prefix only, says where it belongs', (_name, extra, secret, secretPart, what) => {
    const diagnostics = validate(extra);
    expect(diagnostics).toHaveLength(1);
    const [d] = diagnostics;
    expect(d!.code).toBe('GNT223');
    expect(d!.message).toContain(what);
    const line = lineOf(extra, secret);
    expect(d!.position).toEqual({ line, column: `${base}${extra}`.split('\n')[line - 1]!.indexOf(secret) + 1 });
    expect(JSON.stringify(d)).not.toContain(secretPart);
    expect(d!.hint).toMatch(/Secrets Manager|GitHub Actions secret|OIDC/);
  });

  it('never repeats a secret key, even where the schema quotes it (an unknown field)', () => {
    const diagnostics = validate(`${GHP}: x\n`);
    expect(diagnostics.map((d) => d.code)).toContain('GNT223');
    expect(JSON.stringify(diagnostics)).not.toContain(GHP.slice(0, 12));
  });
});
