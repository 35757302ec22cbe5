import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { COMMENT_MARKER } from '../generator/github/comment-markdown';
import { REPO_ROOT, runCli } from './helpers';

const CHANGE_SETS = path.join(REPO_ROOT, 'test/fixtures/change-sets');
const TOKEN = 'test-token';

interface Comment { id: number; body: string; user: { login: string } }
type Handler = (req: http.IncomingMessage, url: URL, body: string, res: http.ServerResponse) => boolean | void;

/**
 * A stand-in for GitHub's REST API: the token's user, issue comments with pagination, and one
 * transient 502. `override` lets a test answer some requests its own (hostile) way.
 */
function fakeGithub() {
  const state = {
    comments: [] as Comment[],
    requests: [] as string[],
    authorizations: [] as (string | undefined)[],
    failNext: false,
    override: undefined as Handler | undefined,
    user: { status: 200, data: { login: 'gantry-bot' } as unknown },
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      state.requests.push(`${req.method} ${url.pathname}${url.search}`);
      state.authorizations.push(req.headers.authorization);
      const send = (status: number, data: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(data));
      };
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { message: 'Bad credentials' });
      if (state.override?.(req, url, body, res)) return;
      if (state.failNext) { state.failNext = false; return send(502, { message: 'Bad gateway' }); }
      if (req.method === 'GET' && url.pathname === '/user') return send(state.user.status, state.user.data);
      if (req.method === 'GET' && url.pathname === '/repos/acme/shop/issues/7/comments') {
        const page = Number(url.searchParams.get('page') ?? '1');
        const perPage = Number(url.searchParams.get('per_page') ?? '30');
        const slice = state.comments.slice((page - 1) * perPage, page * perPage);
        const last = Math.max(1, Math.ceil(state.comments.length / perPage));
        const base = `http://${req.headers.host}${url.pathname}?per_page=${perPage}`;
        return send(200, slice, page < last ? { link: `<${base}&page=${page + 1}>; rel="next", <${base}&page=${last}>; rel="last"` } : {});
      }
      if (req.method === 'POST' && url.pathname === '/repos/acme/shop/issues/7/comments') {
        const comment = { id: 1000 + state.comments.length, body: (JSON.parse(body) as { body: string }).body, user: { login: loginOf(state.user) } };
        state.comments.push(comment);
        return send(201, comment);
      }
      const patch = /^\/repos\/acme\/shop\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (req.method === 'PATCH' && patch) {
        const comment = state.comments.find((c) => c.id === Number(patch[1]));
        if (!comment) return send(404, { message: 'Not Found' });
        // GitHub lets a token edit its own comments only.
        if (comment.user.login !== loginOf(state.user)) return send(403, { message: 'Resource not accessible by integration' });
        comment.body = (JSON.parse(body) as { body: string }).body;
        return send(200, comment);
      }
      return send(404, { message: 'Not Found' });
    });
  });
  return { server, state };
}

function loginOf(user: { status: number; data: unknown }): string {
  return user.status === 200 ? (user.data as { login: string }).login : 'github-actions[bot]';
}

describe('gantry comment against a stand-in GitHub API', () => {
  const github = fakeGithub();
  const { state } = github;
  let apiUrl = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => github.server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(github.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => github.server.close(() => resolve())));
  beforeEach(() => {
    state.comments = Array.from({ length: 120 }, (_, i) => ({ id: i + 1, body: `a reviewer's comment ${i + 1}`, user: { login: 'alice' } }));
    state.requests = [];
    state.authorizations = [];
    state.failNext = false;
    state.override = undefined;
    state.user = { status: 200, data: { login: 'gantry-bot' } };
  });

  const comment = (env: Record<string, string> = {}, args: string[] = []) =>
    runCli(['comment', '--repository', 'acme/shop', '--pr', '7', '--change-sets', CHANGE_SETS, ...args], {
      env: {
        GITHUB_TOKEN: TOKEN, GITHUB_API_URL: apiUrl,
        // Short waits, so that a test never sleeps for long; the defaults are in the client.
        GANTRY_GITHUB_RETRY_MS: '10', GANTRY_GITHUB_TIMEOUT_MS: '2000', GANTRY_GITHUB_BUDGET_MS: '20000', GANTRY_GITHUB_MAX_WAIT_MS: '1000',
        ...env,
      },
    });
  const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at /);

  it('creates one comment, then updates the same one, flagging the replacement', async () => {
    // WHEN it runs twice (the first request meets a 502 and is retried)
    state.failNext = true;
    const first = await comment();
    const second = await comment();
    // THEN there is exactly one gantry comment, created once and then updated
    expect([first.code, first.stdout, first.stderr]).toEqual([0, 'Created the change-set comment on acme/shop#7.\n', '']);
    expect([second.code, second.stdout]).toEqual([0, 'Updated the change-set comment on acme/shop#7.\n']);
    const mine = state.comments.filter((c) => c.body.includes(COMMENT_MARKER));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toContain('**Replace** `Database`');
    expect(state.comments).toHaveLength(121);
    // it paged through the reviewers' comments to find its own
    expect(state.requests.filter((r) => r.startsWith('GET') && r.includes('page=2')).length).toBeGreaterThanOrEqual(1);
    expect(state.requests.filter((r) => r.startsWith('PATCH'))).toHaveLength(1);
  });

  it("never edits someone else's comment that carries the marker: it writes its own", async () => {
    // GIVEN a reviewer's comment that quotes gantry's marker
    state.comments.push({ id: 500, body: `${COMMENT_MARKER}\nI copied this`, user: { login: 'mallory' } });
    const result = await comment();
    expect([result.code, result.stdout, result.stderr]).toEqual([0, 'Created the change-set comment on acme/shop#7.\n', '']);
    expect(state.comments.find((c) => c.id === 500)!.body).toBe(`${COMMENT_MARKER}\nI copied this`);
    expect(state.requests.filter((r) => r.startsWith('PATCH'))).toEqual([]);
  });

  it("with a workflow's GITHUB_TOKEN (GET /user is refused), its comments are the Actions bot's", async () => {
    state.user = { status: 403, data: { message: 'Resource not accessible by integration' } };
    state.comments.push({ id: 600, body: `${COMMENT_MARKER}\nold`, user: { login: 'github-actions[bot]' } });
    state.comments.push({ id: 601, body: `${COMMENT_MARKER}\nplanted`, user: { login: 'alice' } });
    const result = await comment();
    expect([result.code, result.stdout]).toEqual([0, 'Updated the change-set comment on acme/shop#7.\n']);
    expect(state.requests.filter((r) => r.startsWith('PATCH'))).toEqual(['PATCH /repos/acme/shop/issues/comments/600']);
  });

  test.each([
    [401, 'Bad credentials', /GitHub refused GET .*\/user \(HTTP 401\): the token was rejected/],
    [403, 'Must have admin rights to Repository.', /\(HTTP 403\): the token may not do this: the job needs "permissions: pull-requests: write"/],
    [404, 'Not Found', /\(HTTP 404\): not found: the repository, pull request or environment does not exist/],
    [422, 'Validation Failed', /\(HTTP 422\): GitHub rejected the request as invalid \("Validation Failed: body is too long"\)/],
  ])('fails at once, without retrying, on HTTP %i', async (status, message, expected) => {
    state.override = (req, url, _body, res) => {
      if (status === 401 ? url.pathname !== '/user' : !(req.method === 'GET' && url.pathname.endsWith('/comments'))) return false;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message, ...(status === 422 ? { errors: [{ resource: 'IssueComment', message: 'body is too long' }] } : {}) }));
      return true;
    };
    const result = await comment();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^gantry: the change-set comment was not posted: /);
    expect(result.stderr).toMatch(expected);
    noStackTrace(result.stderr);
    // one request for the failing route: no retries
    const failing = status === 401 ? 'GET /user' : 'GET /repos/acme/shop/issues/7/comments';
    expect(state.requests.filter((r) => r.startsWith(failing))).toHaveLength(1);
  });

  it('a wrong token is refused with the token named, exit 1', async () => {
    const result = await comment({ GITHUB_TOKEN: 'wrong' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/HTTP 401\): the token was rejected: GITHUB_TOKEN is missing, expired or revoked \("Bad credentials"\)/);
    expect(state.requests).toHaveLength(1);
  });

  it('fails at once, saying when to retry, when Retry-After is beyond its cap (3600 s)', async () => {
    state.override = (_req, _url, _body, res) => {
      res.writeHead(403, { 'content-type': 'application/json', 'retry-after': '3600' });
      res.end(JSON.stringify({ message: 'You have exceeded a secondary rate limit.' }));
      return true;
    };
    const result = await comment();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/GitHub's secondary rate limit is exhausted for GET .*\/user; it resets at \d\d:\d\d UTC \(in 60 min\): run the command again then/);
    expect(state.requests).toHaveLength(1);
  });

  it('fails at once when the primary rate limit resets in an hour', async () => {
    const reset = Math.floor(Date.now() / 1000) + 3600;
    state.override = (_req, _url, _body, res) => {
      res.writeHead(403, { 'content-type': 'application/json', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) });
      res.end(JSON.stringify({ message: 'API rate limit exceeded' }));
      return true;
    };
    const result = await comment();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`GitHub's primary rate limit is exhausted for GET ${apiUrl}/user; it resets at ${new Date(reset * 1000).toISOString().slice(11, 16)} UTC`);
    expect(state.requests).toHaveLength(1);
  });

  it('waits out a short rate limit, then succeeds', async () => {
    let limited = true;
    state.override = (_req, url, _body, res) => {
      if (!limited || url.pathname !== '/user') return false;
      limited = false;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' });
      res.end('{"message":"slow down"}');
      return true;
    };
    const result = await comment();
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(state.requests.filter((r) => r === 'GET /user')).toHaveLength(2);
  });

  it('gives up on a server that never answers: a timeout per request, a budget per command', async () => {
    const hung: http.ServerResponse[] = [];
    state.override = (_req, _url, _body, res) => { hung.push(res); return true; };
    const result = await comment({ GANTRY_GITHUB_TIMEOUT_MS: '100', GANTRY_GITHUB_BUDGET_MS: '1500', GANTRY_GITHUB_RETRIES: '2' });
    for (const res of hung) res.destroy();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/GitHub did not answer GET .*\/user within 100 ms|gave up on GET .*\/user after the command's time budget/);
    expect(state.requests.length).toBeLessThanOrEqual(3);
  });

  it('stops a Link: rel=next that points back at the same page', async () => {
    state.override = (req, url, _body, res) => {
      if (!(req.method === 'GET' && url.pathname.endsWith('/comments'))) return false;
      res.writeHead(200, { 'content-type': 'application/json', link: `<${apiUrl}${url.pathname}${url.search}>; rel="next"` });
      res.end('[]');
      return true;
    };
    const result = await comment();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Link header points back to a page already read/);
    expect(state.requests.filter((r) => r.includes('/comments'))).toHaveLength(1);
  });

  it('reads at most 100 pages', async () => {
    state.override = (req, url, _body, res) => {
      if (!(req.method === 'GET' && url.pathname.endsWith('/comments'))) return false;
      const page = Number(url.searchParams.get('page') ?? '1');
      res.writeHead(200, { 'content-type': 'application/json', link: `<${apiUrl}${url.pathname}?per_page=100&page=${page + 1}>; rel="next"` });
      res.end('[]');
      return true;
    };
    const result = await comment();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/has more than 100 pages; gantry stops there/);
    expect(state.requests.filter((r) => r.includes('/comments'))).toHaveLength(100);
  });

  it('never sends the token to another host a Link header names', async () => {
    // GIVEN a second server that records what it receives
    const elsewhere: (string | undefined)[] = [];
    const other = http.createServer((req, res) => { elsewhere.push(req.headers.authorization); res.end('[]'); });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    state.override = (req, url, _body, res) => {
      if (!(req.method === 'GET' && url.pathname.endsWith('/comments'))) return false;
      res.writeHead(200, { 'content-type': 'application/json', link: `<${otherUrl}/steal?page=2>; rel="next"` });
      res.end('[]');
      return true;
    };
    const result = await comment();
    await new Promise<void>((resolve) => other.close(() => resolve()));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`GitHub's Link header sends the next page to ${otherUrl}/steal, outside ${apiUrl}/; gantry sends its token to GITHUB_API_URL only`);
    expect(elsewhere).toEqual([]);
  });

  it('names a malformed answer as such', async () => {
    state.override = (_req, url, _body, res) => {
      if (url.pathname !== '/user') return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>proxy login</html>');
      return true;
    };
    const result = await comment();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/GitHub answered GET .*\/user with HTTP 200 but its body is not JSON \(it starts "<html>proxy login<\/html>"\)/);
    expect(result.stderr).not.toMatch(/Cannot use 'in' operator|Unexpected token/);
  });

  it('names a refused connection as such, not as an HTTP status', async () => {
    // GIVEN a port nothing listens on
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await comment({ GITHUB_API_URL: `http://127.0.0.1:${port}` });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`gantry: the change-set comment was not posted: could not reach GitHub for GET http://127.0.0.1:${port}/user: the connection was refused; check GITHUB_API_URL and the network\n`);
  });

  it('refuses a --change-sets folder that does not exist (exit 2), without calling GitHub', async () => {
    const result = await runCli(['comment', '--repository', 'acme/shop', '--pr', '7', '--change-sets', '/nonexistent/change-sets'],
      { env: { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: apiUrl } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--change-sets \/nonexistent\/change-sets does not exist/);
    expect(state.requests).toEqual([]);
  });

  it('keeps the comment of the login --author names', async () => {
    // GIVEN a GitHub App's token (the stand-in edits comments of that login only)
    state.user = { status: 200, data: { login: 'gantry-app[bot]' } };
    state.comments.push({ id: 700, body: `${COMMENT_MARKER}\nold`, user: { login: 'gantry-app[bot]' } });
    const result = await comment({}, ['--author', 'gantry-app[bot]']);
    expect(result.code).toBe(0);
    expect(state.requests.filter((r) => r === 'GET /user')).toEqual([]);
    expect(state.requests.filter((r) => r.startsWith('PATCH'))).toEqual(['PATCH /repos/acme/shop/issues/comments/700']);
  });
});
