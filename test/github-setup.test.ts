import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { runCli, tempDir } from './helpers';

/** A stand-in for GitHub's environments API, keeping the state the requests build. */
function fakeGithub(
  environments = new Map<string, { reviewers: { type: string; id: number }[]; policy: unknown; preventSelfReview?: boolean }>(),
  policies = new Map<string, { id: number; name: string; type: string }[]>([['prod', [{ id: 9, name: 'feature/*', type: 'branch' }]]]),
) {
  const requests: string[] = [];
  let nextId = 100;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      requests.push(`${req.method} ${url.pathname}`);
      const send = (status: number, data: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(data)); };
      const json = body ? JSON.parse(body) : {};
      let m: RegExpExecArray | null;
      if (req.method === 'GET' && (m = /^\/users\/([^/]+)$/.exec(url.pathname))) return send(200, { id: m[1] === 'alice' ? 1 : 2, login: m[1] });
      if (req.method === 'GET' && /^\/orgs\/acme\/teams\/platform$/.test(url.pathname)) return send(200, { id: 77, slug: 'platform' });
      if (req.method === 'GET' && url.pathname === '/repos/acme/shop') return send(200, { id: 456789, name: 'shop', owner: { id: 123456, login: 'acme' } });
      if (req.method === 'PUT' && (m = /^\/repos\/acme\/shop\/environments\/([^/]+)$/.exec(url.pathname))) {
        environments.set(m[1]!, { reviewers: json.reviewers, policy: json.deployment_branch_policy, preventSelfReview: json.prevent_self_review });
        return send(200, { name: m[1] });
      }
      if (req.method === 'GET' && (m = /^\/repos\/acme\/shop\/environments\/([^/]+)$/.exec(url.pathname))) {
        const state = environments.get(m[1]!);
        if (!state) return send(404, { message: 'Not Found' });
        const rules = state.reviewers.length > 0
          ? [{ id: 1, type: 'required_reviewers', prevent_self_review: state.preventSelfReview ?? false, reviewers: state.reviewers.map((r) => ({ type: r.type, reviewer: { id: r.id } })) }]
          : [];
        return send(200, { name: m[1], protection_rules: rules, deployment_branch_policy: state.policy ?? null });
      }
      if ((m = /^\/repos\/acme\/shop\/environments\/([^/]+)\/deployment-branch-policies(?:\/(\d+))?$/.exec(url.pathname))) {
        const list = policies.get(m[1]!) ?? [];
        if (req.method === 'GET') return send(200, { total_count: list.length, branch_policies: list });
        if (req.method === 'POST') { const p = { id: nextId++, name: json.name, type: json.type }; policies.set(m[1]!, [...list, p]); return send(200, p); }
        if (req.method === 'DELETE') { policies.set(m[1]!, list.filter((p) => p.id !== Number(m![2]))); res.writeHead(204); return res.end(); }
      }
      return send(404, { message: 'Not Found' });
    });
  });
  return { server, environments, policies, requests };
}

function gantry(args: string[], cwd: string, apiUrl: string) {
  // In-process, so the test runs the TypeScript source (never a stale dist/).
  return runCli(args, { cwd, env: { GITHUB_TOKEN: 't', GITHUB_API_URL: apiUrl, GANTRY_GITHUB_RETRY_MS: '10' } });
}

describe('gantry github setup against a stand-in GitHub API', () => {
  const github = fakeGithub();
  let apiUrl = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => github.server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(github.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => github.server.close(() => resolve())));

  it('creates the environments with reviewers and a deploy-branch policy, and changes nothing the second time', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'environment.yaml'), `version: 1
project: shop
github: { repository: acme/shop, branch: release }
tiers: { web: { loadBalancer: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc" } } }
environments:
  dev: { account: "123456789012", regions: [eu-west-1] }
  prod: { account: "123456789012", regions: [eu-west-1], approval: true, reviewers: [alice, bob, acme/platform] }
`);
    const first = await gantry(['github', 'setup'], dir, apiUrl);
    expect([first.code, first.stderr]).toEqual([0, '']);
    expect(first.stdout).toBe([
      'acme/shop: owner id 123456, repository id 456789',
      '  note: add github: { ownerId: 123456, repositoryId: 456789 } to the spec: the deploy roles then accept GitHub\'s immutable OIDC subject for these ids only (regenerate, then redeploy each bootstrap stack)',
      'dev: deploys from release only; no required reviewers',
      'prod: deploys from release only; reviewers alice, bob, acme/platform',
      '  note: removed the deployment policy for feature/*',
      '',
    ].join('\n'));
    expect(github.environments.get('prod')).toEqual({
      reviewers: [{ type: 'User', id: 1 }, { type: 'User', id: 2 }, { type: 'Team', id: 77 }],
      policy: { protected_branches: false, custom_branch_policies: true },
      preventSelfReview: true,
    });
    expect(github.environments.get('dev')?.reviewers).toEqual([]);
    expect(github.policies.get('prod')?.map((p) => p.name)).toEqual(['release']);
    expect(github.policies.get('dev')?.map((p) => p.name)).toEqual(['release']);

    const writes = () => github.requests.filter((r) => /^(POST|DELETE)/.test(r)).length;
    const before = writes();
    const second = await gantry(['github', 'setup'], dir, apiUrl);
    expect(second.code).toBe(0);
    expect(writes()).toBe(before);
    expect(github.policies.get('prod')?.map((p) => p.name)).toEqual(['release']);
  }, 30_000);

  it('fails at once, with what to fix, when GitHub cannot find the repository (or the token cannot see it)', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'environment.yaml'), `version: 1
project: shop
github: { repository: acme/other }
tiers: { web: { loadBalancer: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc" } } }
environments:
  dev: { account: "123456789012", regions: [eu-west-1] }
`);
    const before = github.requests.length;
    const result = await gantry(['github', 'setup'], dir, apiUrl);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^gantry: the GitHub environments were not set up: GitHub refused GET .*\/repos\/acme\/other \(HTTP 404\): not found/);
    expect(github.requests.length - before).toBe(1);
  });
});

describe('gantry github setup --dry-run', () => {
  // GIVEN prod exists with no protection (as GitHub creates an environment a job names), dev does not exist
  const github = fakeGithub(new Map([['prod', { reviewers: [], policy: null }]]), new Map());
  let apiUrl = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => github.server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(github.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => github.server.close(() => resolve())));

  it('lists what it would change and changes nothing; after setup it finds nothing to change', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'environment.yaml'), `version: 1
project: shop
github: { repository: acme/shop, ownerId: 123456, repositoryId: 1 }
tiers: { web: { loadBalancer: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc" } } }
environments:
  dev: { account: "123456789012", regions: [eu-west-1] }
  prod: { account: "123456789012", regions: [eu-west-1], approval: true, reviewers: [alice, bob] }
`);
    const writes = () => github.requests.filter((r) => !r.startsWith('GET ')).length;
    const plan = await gantry(['github', 'setup', '--dry-run'], dir, apiUrl);
    expect([plan.code, plan.stderr]).toEqual([0, '']);
    expect(plan.stdout).toBe([
      'acme/shop: owner id 123456, repository id 456789',
      "  note: the spec's github.ownerId 123456 and repositoryId 1 are not this repository's (123456, 456789): GitHub's immutable OIDC subjects would be refused; write github: { ownerId: 123456, repositoryId: 456789 }",
      'dev: would create the environment dev; allow deployments from main only',
      'prod: would require a review by alice, bob; restrict deployments to selected branches (now: any branch); allow deployments from main',
      'Dry run: nothing was changed.',
      '',
    ].join('\n'));
    expect(writes()).toBe(0);

    const apply = await gantry(['github', 'setup'], dir, apiUrl);
    expect(apply.code).toBe(0);
    expect(writes()).toBeGreaterThan(0);
    const again = await gantry(['github', 'setup', '--dry-run'], dir, apiUrl);
    expect(again.stdout).toContain('dev: already right (deploys from main only)\nprod: already right (deploys from main only)\n');
  }, 30_000);
});
