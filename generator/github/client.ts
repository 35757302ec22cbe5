/**
 * The GitHub REST client: @octokit/rest with retries on 5xx and respect for rate limits. The
 * token comes from GITHUB_TOKEN and the API from GITHUB_API_URL, so GitHub Enterprise Server works.
 */
export interface GithubClient {
  paginate<T>(route: string, parameters: Record<string, unknown>): Promise<T[]>;
  request<T>(route: string, parameters: Record<string, unknown>): Promise<{ data: T }>;
}

/**
 * NOTE: @octokit/rest and its plugins are ES modules only; gantry is CommonJS, so they are loaded
 * with a real dynamic import that TypeScript leaves alone (it would rewrite `import()` to require).
 */
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Record<string, unknown>>;

export async function createGithubClient(env: Readonly<Record<string, string | undefined>>): Promise<GithubClient> {
  const { Octokit } = (await importModule('@octokit/rest')) as { Octokit: { plugin(...p: unknown[]): new (options: object) => GithubClient } };
  const { retry } = (await importModule('@octokit/plugin-retry')) as { retry: unknown };
  const { throttling } = (await importModule('@octokit/plugin-throttling')) as { throttling: unknown };
  const Client = Octokit.plugin(retry, throttling);
  const retries = 3;
  return new Client({
    auth: env.GITHUB_TOKEN,
    baseUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    userAgent: 'gantry',
    // Tests shorten the wait between retries; in a workflow it is plugin-retry's default.
    retry: { doNotRetry: [400, 401, 403, 404, 422], retryAfterBaseValue: env.GANTRY_GITHUB_RETRY_MS ? Number(env.GANTRY_GITHUB_RETRY_MS) : undefined },
    request: { retries },
    throttle: {
      onRateLimit: (_after: number, _options: unknown, _client: unknown, count: number) => count < retries,
      onSecondaryRateLimit: (_after: number, _options: unknown, _client: unknown, count: number) => count < retries,
    },
  });
}
