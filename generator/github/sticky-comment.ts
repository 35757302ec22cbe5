import { GithubError, type GithubClient } from './client';

interface IssueComment {
  id: number;
  body?: string | null;
  user?: { login?: string } | null;
}

/** The login GitHub gives comments written with an Actions workflow's GITHUB_TOKEN. */
export const ACTIONS_BOT = 'github-actions[bot]';

/** GitHub refuses comment bodies longer than this (characters). */
export const MAX_COMMENT_CHARS = 65_536;

/**
 * Whose comments gantry may edit: the token's own user (GET /user), or, for a token that is not a
 * user's (the Actions GITHUB_TOKEN is an installation token, and GET /user answers 403 "Resource
 * not accessible by integration"), the Actions bot. `author` overrides both, for a GitHub App's
 * own bot.
 * @see https://docs.github.com/en/rest/users/users#get-the-authenticated-user
 */
export async function commentAuthor(client: GithubClient, author?: string): Promise<string> {
  if (author) return author;
  try {
    const { data } = await client.request<{ login?: unknown }>('GET /user', {});
    if (typeof data?.login === 'string' && data.login !== '') return data.login;
    throw new GithubError('GitHub answered GET /user without a login; name the comment\'s author with --author', 'malformed');
  } catch (error) {
    if (error instanceof GithubError && error.kind === 'http' && error.status === 403) return ACTIONS_BOT;
    throw error;
  }
}

/**
 * Keeps exactly one comment carrying `marker` on a pull request: updates the first such comment
 * that `author` wrote, or creates it. A comment by anyone else is never edited, even when it
 * quotes the marker (a reviewer copying gantry's comment, or someone planting the marker).
 * Pages through every existing comment, so long discussions do not hide it.
 * @returns what it did, and the comment's id.
 */
export async function upsertComment(
  client: GithubClient,
  target: { owner: string; repo: string; pr: number },
  marker: string,
  body: string,
  author: string,
): Promise<{ action: 'created' | 'updated'; id: number }> {
  const text = fitComment(body);
  const comments = await client.paginate<IssueComment>('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: target.owner, repo: target.repo, issue_number: target.pr, per_page: 100,
  });
  const mine = (c: IssueComment) => typeof c.user?.login === 'string' && c.user.login.toLowerCase() === author.toLowerCase();
  const existing = comments.find((c) => typeof c.body === 'string' && c.body.includes(marker) && mine(c) && Number.isInteger(c.id));
  if (existing) {
    await client.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { owner: target.owner, repo: target.repo, comment_id: existing.id, body: text });
    return { action: 'updated', id: existing.id };
  }
  const created = await client.request<IssueComment>('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: target.owner, repo: target.repo, issue_number: target.pr, body: text,
  });
  return { action: 'created', id: created.data?.id };
}

/** A body GitHub accepts: cut at a line break below the limit, saying where the rest is. */
export function fitComment(body: string): string {
  if (body.length <= MAX_COMMENT_CHARS) return body;
  const note = '\n\n_The comment is cut here: GitHub takes at most 65,536 characters. The whole summary is in the workflow run\'s job summary._\n';
  const cut = body.lastIndexOf('\n', MAX_COMMENT_CHARS - note.length);
  return `${body.slice(0, cut > 0 ? cut : MAX_COMMENT_CHARS - note.length)}${note}`;
}
