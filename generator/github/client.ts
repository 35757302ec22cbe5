import http from 'node:http';
import https from 'node:https';

/**
 * gantry's GitHub REST client: small on purpose, because what it must guarantee is in the details.
 * - Bounded: a time budget for the whole command, a timeout per request, and a cap on how long it
 *   waits for a rate limit (`Retry-After`, `x-ratelimit-reset`); beyond the cap it fails and says
 *   when to run again instead of sleeping for an hour.
 * - Retries only what can succeed on retry: 5xx, rate limits, dropped connections. Any other 4xx
 *   (401, 403, 404, 422) fails at once with what to fix.
 * - Pagination follows `Link: rel="next"` only to the API's own origin and base path (the token
 *   is never sent anywhere else), at most `maxPages` pages, and stops on a link back to a page it
 *   has read.
 * - Malformed bodies and connection failures are named as such.
 * The token comes from GITHUB_TOKEN and the API from GITHUB_API_URL (GitHub Enterprise Server works).
 * @see https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api
 * @see https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
 * @see https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
 */
export interface GithubClient {
  paginate<T>(route: string, parameters: Record<string, unknown>): Promise<T[]>;
  request<T>(route: string, parameters: Record<string, unknown>): Promise<{ data: T; status: number }>;
}

export interface ClientOptions {
  readonly token: string;
  /** The REST API's root, e.g. https://api.github.com or https://ghe.example.com/api/v3. */
  readonly baseUrl: string;
  /** Time budget of the whole command, in milliseconds. */
  readonly budgetMs: number;
  /** Longest wait for one response (headers and body), in milliseconds. */
  readonly requestTimeoutMs: number;
  /** Longest wait for a rate limit to reset before failing, in milliseconds. */
  readonly maxWaitMs: number;
  /** Retries of one request after a 5xx, a rate limit or a dropped connection. */
  readonly maxRetries: number;
  /** First back-off after a 5xx or a dropped connection, doubled on each retry. */
  readonly retryBaseMs: number;
  /** Most pages one listing may take (100 items each). */
  readonly maxPages: number;
}

export const DEFAULT_OPTIONS = {
  budgetMs: 5 * 60_000, // the comment job's timeout is 10 minutes
  requestTimeoutMs: 30_000,
  maxWaitMs: 60_000,
  maxRetries: 3,
  retryBaseMs: 1_000,
  maxPages: 100,
} as const;

/** A response is at most this large; GitHub's pages of 100 comments stay far below. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export type GithubErrorKind = 'http' | 'rate-limit' | 'network' | 'timeout' | 'budget' | 'malformed' | 'pagination';

/** A failure to show the user as it is: `message` is a complete sentence, without a stack trace. */
export class GithubError extends Error {
  constructor(
    message: string,
    readonly kind: GithubErrorKind,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GithubError';
  }
}

/** The client the CLI uses, configured from the environment. Tests shorten the waits through it. */
export function createGithubClient(env: Readonly<Record<string, string | undefined>>): GithubClient {
  const number = (name: string, fallback: number) => {
    const value = Number(env[name]);
    return env[name] !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;
  };
  return new RestClient({
    token: env.GITHUB_TOKEN ?? '',
    baseUrl: env.GITHUB_API_URL || 'https://api.github.com',
    budgetMs: number('GANTRY_GITHUB_BUDGET_MS', DEFAULT_OPTIONS.budgetMs),
    requestTimeoutMs: number('GANTRY_GITHUB_TIMEOUT_MS', DEFAULT_OPTIONS.requestTimeoutMs),
    maxWaitMs: number('GANTRY_GITHUB_MAX_WAIT_MS', DEFAULT_OPTIONS.maxWaitMs),
    maxRetries: number('GANTRY_GITHUB_RETRIES', DEFAULT_OPTIONS.maxRetries),
    retryBaseMs: number('GANTRY_GITHUB_RETRY_MS', DEFAULT_OPTIONS.retryBaseMs),
    maxPages: number('GANTRY_GITHUB_MAX_PAGES', DEFAULT_OPTIONS.maxPages),
  });
}

interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export class RestClient implements GithubClient {
  private readonly base: URL;
  private readonly deadline: number;

  constructor(private readonly options: ClientOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new GithubError(`GITHUB_API_URL is not a URL: "${options.baseUrl}"`, 'network');
    }
    if (base.protocol !== 'https:' && base.protocol !== 'http:') {
      throw new GithubError(`GITHUB_API_URL must be an http(s) URL, not "${options.baseUrl}"`, 'network');
    }
    this.base = new URL(base.href.endsWith('/') ? base.href : `${base.href}/`);
    this.deadline = Date.now() + options.budgetMs;
  }

  async request<T>(route: string, parameters: Record<string, unknown>): Promise<{ data: T; status: number }> {
    const { method, url, body } = this.prepare(route, parameters);
    const response = await this.send(method, url, body, route);
    return { data: parseBody<T>(response, method, url), status: response.status };
  }

  async paginate<T>(route: string, parameters: Record<string, unknown>): Promise<T[]> {
    const first = this.prepare(route, parameters);
    const items: T[] = [];
    const seen = new Set<string>();
    let url: URL | undefined = first.url;
    for (let page = 1; url; page++) {
      if (page > this.options.maxPages) {
        throw new GithubError(`${describe(first.method, first.url)} has more than ${this.options.maxPages} pages; gantry stops there rather than read without end`, 'pagination');
      }
      seen.add(url.href);
      const response = await this.send(first.method, url, undefined, route);
      items.push(...pageItems<T>(parseBody(response, first.method, url), first.method, url));
      const next = nextLink(response.headers.link);
      if (next === undefined) break;
      url = this.checkNext(next, url, seen);
    }
    return items;
  }

  /** The next page's URL, if it is one gantry may follow: same origin and base path, never seen. */
  private checkNext(link: string, current: URL, seen: ReadonlySet<string>): URL {
    let next: URL;
    try {
      next = new URL(link, current);
    } catch {
      throw new GithubError(`GitHub's Link header names a next page that is not a URL ("${link.slice(0, 100)}")`, 'pagination');
    }
    if (next.origin !== this.base.origin || !next.pathname.startsWith(this.base.pathname)) {
      throw new GithubError(
        `GitHub's Link header sends the next page to ${next.origin}${next.pathname}, outside ${this.base.href}; gantry sends its token to GITHUB_API_URL only`,
        'pagination',
      );
    }
    if (seen.has(next.href)) {
      throw new GithubError(`GitHub's Link header points back to a page already read (${next.pathname}${next.search}); gantry stops rather than loop`, 'pagination');
    }
    return next;
  }

  /** "METHOD /path/{param}" and parameters: the URL (with a query for reads) and a JSON body. */
  private prepare(route: string, parameters: Record<string, unknown>): { method: string; url: URL; body?: string } {
    const [method = 'GET', template = '/'] = route.split(' ');
    const rest: Record<string, unknown> = { ...parameters };
    const pathname = template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
      const value = rest[name];
      delete rest[name];
      if (value === undefined) throw new GithubError(`internal: route ${route} needs the parameter ${name}`, 'http');
      return encodeURIComponent(String(value));
    });
    const url = new URL(pathname.replace(/^\//, ''), this.base);
    if (method === 'GET' || method === 'DELETE' || method === 'HEAD') {
      for (const [key, value] of Object.entries(rest)) if (value !== undefined) url.searchParams.set(key, String(value));
      return { method, url };
    }
    return { method, url, body: JSON.stringify(rest) };
  }

  /** One request with its retries, inside the command's time budget. */
  private async send(method: string, url: URL, body: string | undefined, route: string): Promise<RawResponse> {
    const what = describe(method, url);
    for (let attempt = 0; ; attempt++) {
      const left = this.deadline - Date.now();
      if (left <= 0) throw this.outOfTime(what);
      let response: RawResponse;
      try {
        response = await this.once(method, url, body, Math.min(this.options.requestTimeoutMs, left));
      } catch (error) {
        if (!(error instanceof GithubError) || (error.kind !== 'network' && error.kind !== 'timeout')) throw error;
        if (attempt >= this.options.maxRetries) throw error;
        await this.wait(this.backoff(attempt), what, error.message);
        continue;
      }
      if (response.status < 400) return response;

      const limit = rateLimit(response);
      if (limit) {
        const waitMs = Math.max(0, limit.resetAt - Date.now());
        const when = `${clock(limit.resetAt)} (in ${duration(waitMs)})`;
        if (waitMs > this.options.maxWaitMs) {
          throw new GithubError(`GitHub's ${limit.kind} rate limit is exhausted for ${what}; it resets at ${when}: run the command again then`, 'rate-limit', response.status);
        }
        if (attempt >= this.options.maxRetries) {
          throw new GithubError(`GitHub kept answering ${what} with its ${limit.kind} rate limit (${attempt + 1} tries); run the command again after ${when}`, 'rate-limit', response.status);
        }
        await this.wait(waitMs, what, `the ${limit.kind} rate limit resets at ${when}`);
        continue;
      }
      if (response.status >= 500 && attempt < this.options.maxRetries) {
        await this.wait(this.backoff(attempt), what, `HTTP ${response.status}`);
        continue;
      }
      throw httpError(response, what, route);
    }
  }

  private backoff(attempt: number): number {
    return this.options.retryBaseMs * 2 ** attempt;
  }

  /** Sleeps before a retry, unless the wait would end after the command's budget. */
  private async wait(ms: number, what: string, why: string): Promise<void> {
    if (Date.now() + ms > this.deadline) throw this.outOfTime(what, why);
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  private outOfTime(what: string, why?: string): GithubError {
    return new GithubError(
      `gave up on ${what} after the command's time budget of ${duration(this.options.budgetMs)}${why ? ` (last: ${why})` : ''}; run the command again later`,
      'budget',
    );
  }

  /** One HTTP exchange, with a timeout on the whole of it. */
  private once(method: string, url: URL, body: string | undefined, timeoutMs: number): Promise<RawResponse> {
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(url, {
        method,
        // One connection per request: nothing lingers to keep the process alive after the command.
        agent: false,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${this.options.token}`,
          'user-agent': 'gantry',
          'x-github-api-version': '2022-11-28',
          ...(body !== undefined ? { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) } : {}),
        },
      });
      const timer = setTimeout(() => {
        request.destroy(new GithubError(`GitHub did not answer ${describe(method, url)} within ${duration(timeoutMs)}`, 'timeout'));
      }, timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(error instanceof GithubError ? error : networkError(error, method, url));
      };
      request.on('error', fail);
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) request.destroy(new GithubError(`GitHub's answer to ${describe(method, url)} is larger than ${MAX_BODY_BYTES} bytes`, 'malformed'));
          else chunks.push(chunk);
        });
        response.on('error', fail);
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      request.end(body);
    });
  }
}

/** "GET https://api.github.com/repos/acme/shop/issues/7/comments", without the query. */
function describe(method: string, url: URL): string {
  return `${method} ${url.origin}${url.pathname}`;
}

function networkError(error: Error, method: string, url: URL): GithubError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason: Record<string, string> = {
    ECONNREFUSED: 'the connection was refused',
    ECONNRESET: 'the connection was reset',
    ENOTFOUND: `the host ${url.hostname} was not found`,
    EAI_AGAIN: `the host ${url.hostname} could not be resolved (DNS)`,
    ETIMEDOUT: 'the connection timed out',
    EHOSTUNREACH: 'the host is unreachable',
    ENETUNREACH: 'the network is unreachable',
    CERT_HAS_EXPIRED: "the server's TLS certificate has expired",
    DEPTH_ZERO_SELF_SIGNED_CERT: "the server's TLS certificate is self-signed",
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's TLS certificate cannot be verified",
  };
  const why = (code && reason[code]) ?? error.message;
  return new GithubError(`could not reach GitHub for ${describe(method, url)}: ${why}; check GITHUB_API_URL and the network`, 'network');
}

/** The parsed JSON of a successful response; empty bodies (204) are undefined. */
function parseBody<T>(response: RawResponse, method: string, url: URL): T {
  if (response.body.trim() === '') return undefined as T;
  try {
    return JSON.parse(response.body) as T;
  } catch {
    throw new GithubError(
      `GitHub answered ${describe(method, url)} with HTTP ${response.status} but its body is not JSON (it starts ${JSON.stringify(response.body.slice(0, 60))}); is GITHUB_API_URL the REST API's address?`,
      'malformed',
      response.status,
    );
  }
}

/**
 * The items of one page: a list, or the one list inside a search-style object
 * (`{ total_count, branch_policies: [...] }`).
 */
function pageItems<T>(data: unknown, method: string, url: URL): T[] {
  if (Array.isArray(data)) return data as T[];
  if (data !== null && typeof data === 'object') {
    const lists = Object.entries(data).filter(([key, value]) => Array.isArray(value) && key !== 'errors');
    if (lists.length === 1) return lists[0]![1] as T[];
  }
  throw new GithubError(`GitHub answered ${describe(method, url)} with something that is not a list of items`, 'malformed');
}

/** The URL of `rel="next"` in a Link header. */
export function nextLink(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (!text) return undefined;
  for (const part of text.split(',')) {
    const match = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (match && /\brel="?([^"]*\s)?next(\s[^"]*)?"?/.test(match[2] ?? '')) return match[1];
  }
  return undefined;
}

/**
 * A primary or secondary rate limit, and when it resets: `Retry-After` seconds, else
 * `x-ratelimit-reset` (epoch seconds) when `x-ratelimit-remaining` is 0, else one minute for a
 * secondary limit, as GitHub documents.
 */
function rateLimit(response: RawResponse): { kind: 'primary' | 'secondary'; resetAt: number } | undefined {
  if (response.status !== 403 && response.status !== 429) return undefined;
  const header = (name: string) => {
    const value = response.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const retryAfter = header('retry-after');
  const remaining = header('x-ratelimit-remaining');
  const reset = header('x-ratelimit-reset');
  const secondary = /secondary rate limit|abuse/i.test(response.body);
  if (retryAfter !== undefined && /^\d+$/.test(retryAfter.trim())) {
    return { kind: secondary || remaining !== '0' ? 'secondary' : 'primary', resetAt: Date.now() + Number(retryAfter) * 1000 };
  }
  if (remaining === '0' && reset !== undefined && /^\d+$/.test(reset.trim())) return { kind: 'primary', resetAt: Number(reset) * 1000 };
  if (secondary || response.status === 429) return { kind: 'secondary', resetAt: Date.now() + 60_000 };
  return undefined;
}

/** A 4xx (or a 5xx after its retries) as a sentence with what to fix. */
function httpError(response: RawResponse, what: string, route: string): GithubError {
  let message = '';
  let details = '';
  try {
    const data = JSON.parse(response.body) as { message?: unknown; errors?: unknown };
    if (typeof data.message === 'string') message = data.message;
    if (Array.isArray(data.errors)) {
      details = data.errors.map((e) => (typeof e === 'string' ? e : typeof e?.message === 'string' ? e.message : typeof e?.code === 'string' ? `${e.field ?? ''} ${e.code}`.trim() : '')).filter(Boolean).join('; ');
    }
  } catch {
    // not JSON: the status says enough
  }
  const said = [message, details].filter(Boolean).join(': ').slice(0, 300);
  const quoted = said ? ` ("${said}")` : '';
  const status = response.status;
  const hint: Record<number, string> = {
    401: 'the token was rejected: GITHUB_TOKEN is missing, expired or revoked',
    403: route.includes('comments')
      ? 'the token may not do this: the job needs "permissions: pull-requests: write" (or issues: write)'
      : 'the token may not do this: it needs the rights the command names (admin rights on the repository for "github setup")',
    404: 'not found: the repository, pull request or environment does not exist, or the token cannot see it',
    422: 'GitHub rejected the request as invalid',
  };
  const why = hint[status] ?? (status >= 500 ? 'GitHub failed to answer, also on retries; try again later' : 'GitHub refused the request');
  return new GithubError(`GitHub refused ${what} (HTTP ${status}): ${why}${quoted}`, 'http', status);
}

function clock(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(11, 16)} UTC`;
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}
