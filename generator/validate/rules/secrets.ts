import { isPlainObject, type SpecPath } from '../../spec/path';
import { error, type Finding } from '../finding';
import type { Rule } from '../rule';

interface SecretPattern {
  readonly test: RegExp;
  readonly what: string;
  readonly instead: string;
}

const SLACK_INSTEAD =
  'store the URL as a GitHub Actions secret (e.g. SLACK_WEBHOOK_URL) and write its name in notifications.slack.webhookSecret';
const GENERIC_INSTEAD =
  'keep secrets in AWS Secrets Manager or a GitHub Actions secret and refer to them by name; the spec is committed and reviewed in the open';

/** Values that are secrets wherever they appear. The value is never repeated in the message. */
const PATTERNS: readonly SecretPattern[] = [
  { test: /https:\/\/hooks\.slack\.com\/(services|workflows|triggers)\//i, what: 'a Slack webhook URL', instead: SLACK_INSTEAD },
  { test: /\bxox[abposr]-[A-Za-z0-9-]{10,}/, what: 'a Slack token', instead: GENERIC_INSTEAD },
  {
    test: /\b(AKIA|ASIA)[A-Z0-9]{16}\b/,
    what: 'an AWS access key id',
    instead: 'gantry deploys through GitHub OIDC roles and needs no AWS keys; delete it from the file and deactivate the key in IAM, since it was committed',
  },
  { test: /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----/, what: 'a private key', instead: GENERIC_INSTEAD },
  { test: /\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/, what: 'a GitHub token', instead: GENERIC_INSTEAD },
  { test: /^[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i, what: 'a URL with a password in it', instead: GENERIC_INSTEAD },
];

/** Keys whose values are secrets when the spec holds one (in tags, the only free-form map). */
const SECRET_KEY = /pass(word|wd)?$|secret|token|api[-_]?key|private[-_]?key|credential/i;

/** Where a secret's *name* belongs, so such keys are not mistaken for secrets themselves. */
const SECRET_NAME_FIELDS = new Set(['webhookSecret']);

/**
 * No secrets anywhere in the spec: it is committed, shown in pull requests and copied into
 * generated files. Each finding says where the value belongs instead.
 */
export const secretsRule: Rule = ({ document }) => {
  const findings: Finding[] = [];
  walk(document, [], (value, path) => {
    const pattern = PATTERNS.find((p) => p.test.test(value));
    if (pattern) {
      findings.push(error('GNT223', path, `holds ${pattern.what}; secrets never go in the spec`, pattern.instead));
      return;
    }
    const key = path[path.length - 1];
    if (typeof key === 'string' && SECRET_KEY.test(key) && !SECRET_NAME_FIELDS.has(key) && value.trim() !== '') {
      findings.push(error('GNT223', path, `"${key}" looks like a secret value; secrets never go in the spec`, GENERIC_INSTEAD));
    }
  });
  return findings;
};

function walk(node: unknown, path: SpecPath, visit: (value: string, path: SpecPath) => void, depth = 0): void {
  if (depth > 64) return;
  if (typeof node === 'string') visit(node, path);
  else if (Array.isArray(node)) node.forEach((item, i) => walk(item, [...path, i], visit, depth + 1));
  else if (isPlainObject(node)) for (const [key, value] of Object.entries(node)) walk(value, [...path, key], visit, depth + 1);
}
