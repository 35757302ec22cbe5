import { error, type Finding } from '../finding';
import type { Rule } from '../rule';

const DURATION = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/;

/** CloudFormation's limit for a rolling update's PauseTime and a creation policy's timeout. */
export const MAX_TIMEOUT_SECONDS = 3600;

/** Seconds in an ISO-8601 time duration (PT20M), or undefined when it is not one. */
export function durationSeconds(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match || text === 'PT') return undefined;
  const [, h, m, s] = match;
  return Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0);
}

/**
 * deploy.timeout becomes the rolling update's PauseTime with WaitOnResourceSignals: an ISO-8601
 * duration above zero and at most PT1H.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html
 */
export const deployTimeoutRule: Rule = ({ environments }) => {
  const findings: Finding[] = [];
  for (const environment of environments) {
    for (const tier of environment.spec.tiers) {
      const timeout = tier.deploy.timeout;
      if (typeof timeout !== 'string') continue;
      const seconds = durationSeconds(timeout);
      if (seconds === undefined) continue; // the schema reports the format
      const path = ['tiers', tier.name, 'deploy', 'timeout'];
      if (seconds > MAX_TIMEOUT_SECONDS) {
        findings.push(error('GNT225', path, `${timeout} is longer than PT1H, CloudFormation's limit for waiting on instance signals`,
          'use at most PT1H; bake slow set-up into the AMI instead', environment.name));
      } else if (seconds === 0) {
        findings.push(error('GNT225', path, `${timeout} leaves new instances no time to signal healthy`, 'use e.g. PT15M', environment.name));
      }
    }
  }
  return findings;
};
