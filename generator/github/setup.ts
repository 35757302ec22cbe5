import type { PlatformModel } from '../model/types';
import type { GithubClient } from './client';

interface Reviewer {
  readonly type: 'User' | 'Team';
  readonly id: number;
}

interface BranchPolicy {
  id: number;
  name: string;
  type?: string;
}

/** What `setup` did to one environment, for its report. */
export interface EnvironmentSetup {
  readonly environment: string;
  readonly reviewers: readonly string[];
  readonly branch: string;
  readonly notes: readonly string[];
}

/**
 * Creates or updates a GitHub environment per spec environment: required reviewers where approval
 * is asked, and deployments from `github.branch` only. Idempotent: running it again changes
 * nothing that is already right, and removes branch policies that are not the deploy branch.
 * @see https://docs.github.com/en/rest/deployments/environments
 */
export async function setupEnvironments(client: GithubClient, model: PlatformModel, owner: string, repo: string): Promise<EnvironmentSetup[]> {
  const results: EnvironmentSetup[] = [];
  for (const environment of model.environments) {
    const notes: string[] = [];
    const reviewers: Reviewer[] = [];
    if (environment.approval) {
      for (const name of environment.reviewers) reviewers.push(await resolveReviewer(client, name));
      if (reviewers.length === 0) notes.push('approval is asked but no reviewers are listed: add them in the spec (reviewers) or in the repository settings');
    }
    await client.request('PUT /repos/{owner}/{repo}/environments/{environment_name}', {
      owner, repo, environment_name: environment.name,
      reviewers: environment.approval ? reviewers : [],
      prevent_self_review: environment.approval && reviewers.length > 1,
      deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
    });
    const policies = await client.paginate<BranchPolicy>('GET /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies', {
      owner, repo, environment_name: environment.name, per_page: 100,
    });
    const branch = model.github.branch;
    for (const policy of policies) {
      if (policy.name === branch && (policy.type ?? 'branch') === 'branch') continue;
      await client.request('DELETE /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies/{branch_policy_id}', {
        owner, repo, environment_name: environment.name, branch_policy_id: policy.id,
      });
      notes.push(`removed the deployment policy for ${policy.name}`);
    }
    if (!policies.some((p) => p.name === branch && (p.type ?? 'branch') === 'branch')) {
      await client.request('POST /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies', {
        owner, repo, environment_name: environment.name, name: branch, type: 'branch',
      });
    }
    results.push({ environment: environment.name, reviewers: environment.approval ? environment.reviewers : [], branch, notes });
  }
  return results;
}

/** A username or org/team slug as the numeric reviewer the environments API takes. */
async function resolveReviewer(client: GithubClient, name: string): Promise<Reviewer> {
  const [org, team] = name.split('/');
  if (team !== undefined) {
    const { data } = await client.request<{ id: number }>('GET /orgs/{org}/teams/{team_slug}', { org, team_slug: team });
    return { type: 'Team', id: data.id };
  }
  const { data } = await client.request<{ id: number }>('GET /users/{username}', { username: name });
  return { type: 'User', id: data.id };
}
