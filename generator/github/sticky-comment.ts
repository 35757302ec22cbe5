import type { GithubClient } from './client';

interface IssueComment {
  id: number;
  body?: string | null;
}

/**
 * Keeps exactly one comment carrying `marker` on a pull request: updates the first such comment,
 * or creates it. Pages through every existing comment, so long discussions do not hide it.
 * @returns what it did, and the comment's id.
 */
export async function upsertComment(
  client: GithubClient,
  target: { owner: string; repo: string; pr: number },
  marker: string,
  body: string,
): Promise<{ action: 'created' | 'updated'; id: number }> {
  const comments = await client.paginate<IssueComment>('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: target.owner, repo: target.repo, issue_number: target.pr, per_page: 100,
  });
  const existing = comments.find((c) => typeof c.body === 'string' && c.body.includes(marker));
  if (existing) {
    await client.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { owner: target.owner, repo: target.repo, comment_id: existing.id, body });
    return { action: 'updated', id: existing.id };
  }
  const created = await client.request<IssueComment>('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: target.owner, repo: target.repo, issue_number: target.pr, body,
  });
  return { action: 'created', id: created.data.id };
}
