/**
 * What a secret looks like, wherever it is written: a key, a value, or the middle of a sentence.
 * Each detector returns the matched text so the caller can point at it, and a redacted form that
 * is safe to print (a short prefix, never the secret itself).
 */

export interface SecretMatch {
  /** What was found, for the message: "an AWS access key id". */
  readonly what: string;
  /** The matched text (for positioning only; never printed). */
  readonly text: string;
  /** A prefix of the match that is safe to print, e.g. "AKIA…". */
  readonly redacted: string;
  /** Where the secret belongs instead. */
  readonly instead: string;
}

const SLACK_INSTEAD =
  'store the URL as a GitHub Actions secret (e.g. SLACK_WEBHOOK_URL) and write its name in notifications.slack.webhookSecret';
const GITHUB_INSTEAD =
  'revoke the token (it is committed now) and keep tokens as GitHub Actions secrets; gantry\'s workflows use the job\'s own GITHUB_TOKEN';
const AWS_INSTEAD =
  'gantry deploys through GitHub OIDC roles and needs no AWS keys; delete it from the file and deactivate the key in IAM, since it was committed';
const KEY_INSTEAD =
  'keep private keys in AWS Secrets Manager (or as a GitHub Actions secret) and refer to them by name; this one is committed now, so replace it';
export const GENERIC_INSTEAD =
  'keep secrets in AWS Secrets Manager or a GitHub Actions secret and refer to them by name; the spec is committed and reviewed in the open';
const URL_INSTEAD =
  'keep the password in AWS Secrets Manager (gantry\'s databases already keep their master password there) and write the URL without it';

/** A token starts and ends where letters and digits do ("CI_ghp_…" and "key=AKIA…" still count). */
const EDGE = '(?<![A-Za-z0-9])';
const END = '(?![A-Za-z0-9])';

interface Detector {
  readonly what: string;
  readonly instead: string;
  readonly pattern: RegExp;
  /** How many characters of the match may be shown (at most a quarter of it), or what to show. */
  readonly show: number | ((text: string) => string);
  /** Extra check on a candidate match, to keep false positives low. */
  readonly accept?: (text: string) => boolean;
}

const DETECTORS: readonly Detector[] = [
  {
    what: 'a private key',
    instead: KEY_INSTEAD,
    // PEM (RSA, EC, DSA, PKCS#8, ENCRYPTED), OpenSSH and PGP/GPG ("PRIVATE KEY BLOCK").
    pattern: /-{5}\s*BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?\s*-{5}/,
    show: (header) => header, // the header only says what kind of key follows
  },
  {
    what: 'a Slack webhook URL',
    instead: SLACK_INSTEAD,
    // With or without the scheme: "hooks.slack.com/services/T…/B…/…" is as good as the URL.
    pattern: /(?:https?:\/\/)?hooks\.slack(?:-gov)?\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]{8,}/i,
    show: (url) => `${url.replace(/^https?:\/\//i, '').split('/').slice(0, 2).join('/')}/…`, // host and kind
  },
  {
    what: 'a Slack token',
    instead: GENERIC_INSTEAD,
    pattern: new RegExp(`${EDGE}(?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,}`),
    show: 5,
  },
  {
    what: 'a GitHub token',
    instead: GITHUB_INSTEAD,
    // Classic personal, OAuth, user-to-server, server-to-server and refresh tokens (prefix, 36
    // characters), and fine-grained personal access tokens (github_pat_, 82 characters).
    pattern: new RegExp(`${EDGE}(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})${END}`),
    show: 4,
  },
  {
    what: 'an AWS access key id',
    instead: AWS_INSTEAD,
    // Long-term (AKIA), temporary (ASIA) and the other unique-id prefixes that IAM issues as key ids.
    pattern: /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/,
    show: 4,
  },
  {
    what: 'an AWS secret access key',
    instead: AWS_INSTEAD,
    // 40 characters of base64 on their own. Paths and words of that length exist too, so it must
    // also look random: both cases, a digit or symbol, and close to base64's entropy.
    pattern: /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/,
    show: 4,
    accept: looksRandom,
  },
  {
    what: 'a URL with a password in it',
    instead: URL_INSTEAD,
    // scheme://user:password@host anywhere in a text; "user@host" alone carries no secret.
    pattern: /(?<![A-Za-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:[^\s/?#@]+@/i,
    show: (url) => `${/^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? ''}…:…@`, // the scheme only
  },
];

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * A 40-character candidate that is random rather than a path or a word. Measured on 200,000
 * random 40-character base64 strings: median 4.78 bits per character, 99.99% at or above 4.2;
 * AWS's documented example key has 4.66. Paths and English words of that length stay near 4.0.
 */
function looksRandom(text: string): boolean {
  if (!/[A-Z]/.test(text) || !/[a-z]/.test(text) || !/[0-9+/]/.test(text)) return false;
  if (/^\/|\/$|\/\//.test(text)) return false; // a path (SSM parameter, URL path)
  return entropy(text) >= 4.2;
}

/** The first secret in a text, or undefined. */
export function findSecret(text: string): SecretMatch | undefined {
  for (const detector of DETECTORS) {
    const global = new RegExp(detector.pattern.source, `${detector.pattern.flags}g`);
    for (const match of text.matchAll(global)) {
      const found = match[0];
      if (detector.accept && !detector.accept(found)) continue;
      const redacted = typeof detector.show === 'function' ? detector.show(found) : redact(found, detector.show);
      return { what: detector.what, text: found, redacted, instead: detector.instead };
    }
  }
  return undefined;
}

/** A printable stand-in for a secret: a short prefix and an ellipsis, never more than a quarter of it. */
export function redact(secret: string, show: number): string {
  return `${secret.slice(0, Math.min(show, Math.floor(secret.length / 4)))}…`;
}
