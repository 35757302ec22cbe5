import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { COMMENT_MARKER } from '../generator/github/comment-markdown';
import { REPO_ROOT, runSourceGantry } from './helpers';

/** A stand-in for GitHub's REST API: issue comments, with pagination and one transient 502. */
function fakeGithub() {
  const comments: { id: number; body: string }[] = Array.from({ length: 120 }, (_, i) => ({ id: i + 1, body: `a reviewer's comment ${i + 1}` }));
  const requests: string[] = [];
  let failNext = true;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      requests.push(`${req.method} ${url.pathname}${url.search}`);
      const send = (status: number, data: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(data));
      };
      if (req.headers.authorization !== 'token test-token') return send(401, { message: 'Bad credentials' });
      if (failNext) { failNext = false; return send(502, { message: 'Bad gateway' }); }
      if (req.method === 'GET' && url.pathname === '/repos/acme/shop/issues/7/comments') {
        const page = Number(url.searchParams.get('page') ?? '1');
        const perPage = Number(url.searchParams.get('per_page') ?? '30');
        const slice = comments.slice((page - 1) * perPage, page * perPage);
        const last = Math.ceil(comments.length / perPage);
        const base = `http://${req.headers.host}${url.pathname}?per_page=${perPage}`;
        return send(200, slice, page < last ? { link: `<${base}&page=${page + 1}>; rel="next", <${base}&page=${last}>; rel="last"` } : {});
      }
      if (req.method === 'POST' && url.pathname === '/repos/acme/shop/issues/7/comments') {
        const comment = { id: 1000 + comments.length, body: (JSON.parse(body) as { body: string }).body };
        comments.push(comment);
        return send(201, comment);
      }
      const patch = /^\/repos\/acme\/shop\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (req.method === 'PATCH' && patch) {
        const comment = comments.find((c) => c.id === Number(patch[1]));
        if (!comment) return send(404, { message: 'Not Found' });
        comment.body = (JSON.parse(body) as { body: string }).body;
        return send(200, comment);
      }
      return send(404, { message: 'Not Found' });
    });
  });
  return { server, comments, requests };
}

function gantryComment(apiUrl: string, changeSets: string, token = 'test-token') {
  return runSourceGantry(['comment', '--repository', 'acme/shop', '--pr', '7', '--change-sets', changeSets],
    { env: { GITHUB_TOKEN: token, GITHUB_API_URL: apiUrl, GANTRY_GITHUB_RETRY_MS: '10' } });
}

describe('gantry comment against a stand-in GitHub API', () => {
  const github = fakeGithub();
  let apiUrl = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => github.server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(github.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => github.server.close(() => resolve())));

  it('creates one comment, then updates the same one, flagging the replacement', async () => {
    // WHEN it runs twice (the first request meets a 502 and is retried)
    const first = await gantryComment(apiUrl, path.join(REPO_ROOT, 'test/fixtures/change-sets'));
    const second = await gantryComment(apiUrl, path.join(REPO_ROOT, 'test/fixtures/change-sets'));
    // THEN there is exactly one gantry comment, created once and then updated
    expect([first.code, first.stdout]).toEqual([0, 'Created the change-set comment on acme/shop#7.\n']);
    expect([second.code, second.stdout]).toEqual([0, 'Updated the change-set comment on acme/shop#7.\n']);
    const mine = github.comments.filter((c) => c.body.includes(COMMENT_MARKER));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toContain('**Replace** `Database`');
    expect(github.comments).toHaveLength(121);
    // it paged through the reviewers' comments to find its own
    expect(github.requests.filter((r) => r.startsWith('GET') && r.includes('page=2')).length).toBeGreaterThanOrEqual(1);
    expect(github.requests.filter((r) => r.startsWith('PATCH'))).toHaveLength(1);
  }, 30_000);

  it('fails clearly, without a stack trace, when GitHub refuses the token', async () => {
    const result = await gantryComment(apiUrl, path.join(REPO_ROOT, 'test/fixtures/change-sets'), 'wrong');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/GitHub refused the comment \(HTTP 401\)/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});
