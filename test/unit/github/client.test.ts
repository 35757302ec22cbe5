import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GithubError, nextLink, RestClient, DEFAULT_OPTIONS } from '../../../generator/github/client';
import { fitComment, MAX_COMMENT_CHARS } from '../../../generator/github/sticky-comment';

describe('the GitHub client', () => {
  it('reads rel="next" from a Link header, wherever it is in the list', () => {
    expect(nextLink('<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last"')).toBe('https://api.github.com/x?page=2');
    expect(nextLink('<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=3>; rel="next"')).toBe('https://api.github.com/x?page=3');
    expect(nextLink('<https://api.github.com/x?page=5>; rel="last"')).toBeUndefined();
    expect(nextLink(undefined)).toBeUndefined();
  });

  it('refuses a GITHUB_API_URL that is not an http(s) URL', () => {
    expect(() => new RestClient({ ...DEFAULT_OPTIONS, token: 't', baseUrl: 'file:///etc/passwd' })).toThrow(GithubError);
    expect(() => new RestClient({ ...DEFAULT_OPTIONS, token: 't', baseUrl: 'not a url' })).toThrow(/GITHUB_API_URL is not a URL/);
  });

  it('encodes path parameters, so a value cannot reach another route; keeps a GHES base path', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => { seen.push(req.url ?? ''); res.writeHead(200, { 'content-type': 'application/json' }); res.end('{}'); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`;
    try {
      const client = new RestClient({ ...DEFAULT_OPTIONS, token: 't', baseUrl: base });
      await client.request('GET /users/{username}', { username: '../orgs/x', per_page: 5 });
      expect(seen).toEqual(['/api/v3/users/..%2Forgs%2Fx?per_page=5']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('cuts a comment GitHub would refuse at a line break, and says so', () => {
    const body = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(20)}`).join('\n');
    const fitted = fitComment(body);
    expect(fitted.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(fitted).toContain('The comment is cut here');
    expect(fitComment('short')).toBe('short');
  });
});
