import { condition, evaluate, interpolate, type ExpressionContext } from './runner/expressions';
import { subjectClaim } from './runner/workflow';

const ctx = (status = { success: true, failure: false, cancelled: false }): ExpressionContext => ({
  contexts: {
    github: { repository: 'acme/shop', event: { pull_request: { head: { repo: { full_name: 'acme/shop' } } } } },
    inputs: { environment: 'prod', ami: '' },
    matrix: { region: 'eu-west-1' },
    secrets: {},
  },
  status,
});

describe('workflow expressions', () => {
  test('the fork guard gantry writes', () => {
    expect(condition('github.event.pull_request.head.repo.full_name == github.repository', ctx())).toBe(true);
    const fork = ctx();
    (fork.contexts.github as { event: { pull_request: { head: { repo: { full_name: string } } } } }).event.pull_request.head.repo.full_name = 'someone/fork';
    expect(condition('github.event.pull_request.head.repo.full_name == github.repository', fork)).toBe(false);
  });

  test('status functions: a bare condition implies success(), always() does not', () => {
    const failed = ctx({ success: false, failure: true, cancelled: false });
    expect(condition("inputs.environment == 'prod'", failed)).toBe(false);
    expect(condition('always()', failed)).toBe(true);
    expect(condition("always() && inputs.environment == 'prod'", failed)).toBe(true);
    expect(condition('failure()', failed)).toBe(true);
    expect(condition(undefined, failed)).toBe(false);
  });

  test('interpolation, missing values and string comparison as GitHub does it', () => {
    expect(interpolate('Deploy ${{ matrix.region }} (${{ inputs.ami }})', ctx())).toBe('Deploy eu-west-1 ()');
    expect(evaluate("inputs.environment == 'PROD'", ctx())).toBe(true);
    expect(evaluate('secrets.SLACK_WEBHOOK_URL', ctx())).toBeNull();
    expect(evaluate("inputs.ami || 'previous'", ctx())).toBe('previous');
    expect(evaluate("format('{0}-{1}', 'a', matrix.region)", ctx())).toBe('a-eu-west-1');
  });

  test("a function's result dereferences like a context (per-environment settings in one JSON value)", () => {
    expect(evaluate(`fromJSON('{"prod":{"role":"r"}}')[inputs.environment].role`, ctx())).toBe('r');
    expect(evaluate(`fromJSON('{"prod":{"role":"r"}}').dev`, ctx())).toBeNull();
  });

  test('what the rehearsal cannot evaluate is an error, not a guess', () => {
    expect(() => evaluate('hashFiles(\'x\')', ctx())).toThrow(/hashFiles/);
    expect(() => evaluate('vars.X', ctx())).toThrow(/no context "vars"/);
  });
});

describe('OIDC subject claims', () => {
  const event = { name: 'push' as const, repository: 'acme/shop', ref: 'refs/heads/main', sha: 'x' };
  test('environment, pull request and branch subjects', () => {
    expect(subjectClaim(event, 'prod')).toBe('repo:acme/shop:environment:prod');
    expect(subjectClaim({ ...event, name: 'pull_request', ref: 'refs/pull/7/merge' }, undefined)).toBe('repo:acme/shop:pull_request');
    expect(subjectClaim({ ...event, name: 'schedule' }, undefined)).toBe('repo:acme/shop:ref:refs/heads/main');
  });
});
