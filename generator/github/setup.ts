import type { EnvironmentModel, PlatformModel } from '../model/types';
import { GithubError, type GithubClient } from './client';

interface Reviewer {
  readonly type: 'User' | 'Team';
  readonly id: number;
}

interface BranchPolicy {
  id: number;
  name: string;
  type?: string;
}

/** The parts of GET /repos/{owner}/{repo}/environments/{name} that setup compares. */
interface EnvironmentState {
  protection_rules?: { type: string; prevent_self_review?: boolean; reviewers?: { type: string; reviewer?: { id?: number } }[] }[];
  deployment_branch_policy?: { protected_branches: boolean; custom_branch_policies: boolean } | null;
}

/** What `setup` did (or, with dryRun, would do) to one environment, for its report. */
export interface EnvironmentSetup {
  readonly environment: string;
  readonly reviewers: readonly string[];
  readonly branch: string;
  readonly notes: readonly string[];
  /** With dryRun: the changes it would make, in order; empty when the environment is already right. */
  readonly changes: readonly string[];
}

/** The repository's numeric ids, which GitHub's immutable OIDC subject carries, and how the spec's compare. */
export interface RepositoryIds {
  readonly ownerId: number;
  readonly repositoryId: number;
  /** Set when the spec gives ids that differ from GitHub's (or gives none): what to write in it. */
  readonly advice?: string;
}

export interface SetupResult {
  readonly repository: RepositoryIds;
  readonly environments: readonly EnvironmentSetup[];
}

/**
 * Creates or updates a GitHub environment per spec environment: required reviewers where approval
 * is asked, and deployments from `github.branch` only (a custom deployment branch policy). GitHub
 * creates an environment that a job names and that does not exist yet, with no protection rules;
 * the deploy, failover and release roles trust `environment:<name>`, so without these rules a
 * workflow run from any branch by anyone with write access could assume them. Idempotent: running
 * it again changes nothing that is already right, and removes branch policies that are not the
 * deploy branch. With `dryRun` it only reads, and lists what it would change.
 * It also reads the repository's ids (GET /repos/{owner}/{repo}), which the spec's
 * `github.ownerId` and `github.repositoryId` should hold (docs/facts.md, "GitHub OIDC subjects").
 * @see https://docs.github.com/en/rest/deployments/environments
 * @see https://docs.github.com/en/rest/deployments/branch-policies
 * @see https://docs.github.com/en/actions/reference/workflows-and-actions/deployments-and-environments#deployment-branches-and-tags
 */
export async function setupEnvironments(
  client: GithubClient, model: PlatformModel, owner: string, repo: string, options: { dryRun?: boolean } = {},
): Promise<SetupResult> {
  const repository = await repositoryIds(client, model, owner, repo);
  const environments: EnvironmentSetup[] = [];
  for (const environment of model.environments) {
    const reviewers: Reviewer[] = [];
    const notes: string[] = [];
    if (environment.approval) {
      for (const name of environment.reviewers) reviewers.push(await resolveReviewer(client, name));
      if (reviewers.length === 0) notes.push('approval is asked but no reviewers are listed: add them in the spec (reviewers) or in the repository settings');
    }
    const run = options.dryRun ? planEnvironment : applyEnvironment;
    const changes = await run(client, owner, repo, environment, reviewers, model.github.branch, notes);
    environments.push({ environment: environment.name, reviewers: environment.approval ? environment.reviewers : [], branch: model.github.branch, notes, changes });
  }
  return { repository, environments };
}

/** The body of PUT /repos/{owner}/{repo}/environments/{name}: the reviewers, and custom branch policies. */
function environmentBody(environment: EnvironmentModel, reviewers: readonly Reviewer[]) {
  return {
    reviewers: environment.approval ? reviewers : [],
    prevent_self_review: environment.approval && reviewers.length > 1,
    deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
  };
}

function isDeployBranch(policy: BranchPolicy, branch: string): boolean {
  return policy.name === branch && (policy.type ?? 'branch') === 'branch';
}

async function applyEnvironment(
  client: GithubClient, owner: string, repo: string, environment: EnvironmentModel, reviewers: readonly Reviewer[], branch: string, notes: string[],
): Promise<string[]> {
  await client.request('PUT /repos/{owner}/{repo}/environments/{environment_name}', {
    owner, repo, environment_name: environment.name, ...environmentBody(environment, reviewers),
  });
  const policies = await client.paginate<BranchPolicy>('GET /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies', {
    owner, repo, environment_name: environment.name, per_page: 100,
  });
  for (const policy of policies) {
    if (isDeployBranch(policy, branch)) continue;
    await client.request('DELETE /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies/{branch_policy_id}', {
      owner, repo, environment_name: environment.name, branch_policy_id: policy.id,
    });
    notes.push(`removed the deployment policy for ${policy.name}`);
  }
  if (!policies.some((p) => isDeployBranch(p, branch))) {
    await client.request('POST /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies', {
      owner, repo, environment_name: environment.name, name: branch, type: 'branch',
    });
  }
  return [];
}

/** Reads the environment as it is and lists what applyEnvironment would change; writes nothing. */
async function planEnvironment(
  client: GithubClient, owner: string, repo: string, environment: EnvironmentModel, reviewers: readonly Reviewer[], branch: string,
): Promise<string[]> {
  const state = await readEnvironment(client, owner, repo, environment.name);
  if (!state) {
    return [
      `create the environment ${environment.name}`,
      ...(environment.approval && reviewers.length > 0 ? [`require a review by ${environment.reviewers.join(', ')}`] : []),
      `allow deployments from ${branch} only`,
    ];
  }
  const changes: string[] = [];
  const wanted = environmentBody(environment, reviewers);
  const rule = state.protection_rules?.find((r) => r.type === 'required_reviewers');
  const current = (rule?.reviewers ?? []).map((r) => `${r.type}:${r.reviewer?.id}`).sort();
  const target = wanted.reviewers.map((r) => `${r.type}:${r.id}`).sort();
  if (current.join() !== target.join()) {
    changes.push(target.length > 0 ? `require a review by ${environment.reviewers.join(', ')}` : 'remove the required reviewers');
  } else if (target.length > 0 && (rule?.prevent_self_review ?? false) !== wanted.prevent_self_review) {
    changes.push(wanted.prevent_self_review ? 'prevent self-review' : 'allow self-review (one reviewer)');
  }
  const policy = state.deployment_branch_policy;
  if (!policy || policy.protected_branches || !policy.custom_branch_policies) changes.push(`restrict deployments to selected branches (now: ${!policy ? 'any branch' : 'protected branches'})`);
  const policies = policy?.custom_branch_policies
    ? await client.paginate<BranchPolicy>('GET /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies', { owner, repo, environment_name: environment.name, per_page: 100 })
    : [];
  for (const p of policies) if (!isDeployBranch(p, branch)) changes.push(`remove the deployment policy for ${p.name}`);
  if (!policies.some((p) => isDeployBranch(p, branch))) changes.push(`allow deployments from ${branch}`);
  return changes;
}

/** The environment as GitHub holds it, or undefined when it does not exist yet (404). */
async function readEnvironment(client: GithubClient, owner: string, repo: string, name: string): Promise<EnvironmentState | undefined> {
  try {
    return (await client.request<EnvironmentState>('GET /repos/{owner}/{repo}/environments/{environment_name}', { owner, repo, environment_name: name })).data;
  } catch (error) {
    if (error instanceof GithubError && error.status === 404) return undefined;
    throw error;
  }
}

/** The repository's and its owner's ids, and what to write in the spec when they are missing or differ. */
async function repositoryIds(client: GithubClient, model: PlatformModel, owner: string, repo: string): Promise<RepositoryIds> {
  const { data } = await client.request<{ id?: unknown; owner?: { id?: unknown } }>('GET /repos/{owner}/{repo}', { owner, repo });
  const ownerId = data?.owner?.id;
  const repositoryId = data?.id;
  if (typeof ownerId !== 'number' || typeof repositoryId !== 'number') {
    throw new GithubError(`GitHub's answer to GET /repos/${owner}/${repo} has no numeric id and owner.id`, 'malformed');
  }
  const spec = model.github;
  const write = `github: { ownerId: ${ownerId}, repositoryId: ${repositoryId} }`;
  let advice: string | undefined;
  if (spec.ownerId === undefined) {
    advice = `add ${write} to the spec: the deploy roles then accept GitHub's immutable OIDC subject for these ids only (regenerate, then redeploy each bootstrap stack)`;
  } else if (spec.ownerId !== ownerId || spec.repositoryId !== repositoryId) {
    advice = `the spec's github.ownerId ${spec.ownerId} and repositoryId ${spec.repositoryId} are not this repository's (${ownerId}, ${repositoryId}): GitHub's immutable OIDC subjects would be refused; write ${write}`;
  }
  return { ownerId, repositoryId, ...(advice ? { advice } : {}) };
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
