import { error, type Finding } from '../finding';
import type { Rule } from '../rule';
import { walkStrings } from './walk-strings';
import { findSecret, GENERIC_INSTEAD, redact } from './secret-patterns';

/** Keys whose values are secrets when the spec holds one (in tags, the only free-form map). */
const SECRET_KEY = /pass(word|wd)?$|secret|token|api[-_]?key|private[-_]?key|credential/i;

/** Where a secret's *name* belongs, so such keys are not mistaken for secrets themselves. */
const SECRET_NAME_FIELDS = new Set(['webhookSecret']);

/**
 * No secrets anywhere in the spec, keys included: it is committed, shown in pull requests and
 * copied into generated files (a tag key lands in every template). Each finding says where the
 * value belongs instead, and shows a redacted prefix only: the message ends up in CI logs.
 */
export const secretsRule: Rule = ({ document }) => {
  const findings: Finding[] = [];
  walkStrings(document, (text, path, isKey) => {
    const found = findSecret(text);
    if (found) {
      // A key is reported at its mapping (the path would print the key), pointed at by its text.
      const at = isKey ? path.slice(0, -1) : path;
      findings.push({
        ...error('GNT223', at, `${isKey ? 'a key holds' : 'holds'} ${found.what} (${found.redacted}); secrets never go in the spec`, found.instead),
        needle: found.text,
        secret: { text: found.text, redacted: found.redacted },
      });
      return;
    }
    const key = path[path.length - 1];
    if (!isKey && typeof key === 'string' && SECRET_KEY.test(key) && !SECRET_NAME_FIELDS.has(key) && text.trim() !== '') {
      findings.push({
        ...error('GNT223', path, `"${key}" looks like a secret value (${redact(text, 2)}); secrets never go in the spec`, GENERIC_INSTEAD),
        needle: text,
        secret: { text, redacted: redact(text, 2) },
      });
    }
  });
  return findings;
};
