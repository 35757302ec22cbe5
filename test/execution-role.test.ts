import fs from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { readSpec } from '../generator/pipeline';
import { deployPermissions, GENERATED_RESOURCE_TYPES, SERVICE_LINKED_ROLES, WITHHELD_ACTIONS } from '../generator/stacks/execution-role';
import { buildTemplates } from '../generator/stacks/registry';
import { REPO_ROOT } from './helpers';

/** Every example and every spec kept aside in test/specs/. */
const specs = [
  ...fs.readdirSync(path.join(REPO_ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => `examples/${f}`),
  ...fs.readdirSync(path.join(REPO_ROOT, 'test/specs')).filter((f) => f.endsWith('.yaml')).map((f) => `test/specs/${f}`),
].sort();

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

const built = specs.map((spec) => {
  const report = readSpec(path.join(REPO_ROOT, spec));
  if (!report.model) throw new Error(`${spec} is invalid`);
  return { spec, templates: buildTemplates(report.model).map((a) => ({ path: a.path, template: load(a.content) as Template })) };
});

/** The execution role's Allow statements: its inline policy and the managed policies attached to it. */
function executionStatements(bootstrap: Template): Statement[] {
  const resources = bootstrap.Resources;
  const role = resources.ExecutionRole?.Properties as { Policies: { PolicyDocument: { Statement: Statement[] } }[] };
  const managed = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy'
    && JSON.stringify(r.Properties?.Roles) === JSON.stringify([{ Ref: 'ExecutionRole' }]));
  return [
    ...role.Policies.flatMap((p) => p.PolicyDocument.Statement),
    ...managed.flatMap((m) => (m.Properties?.PolicyDocument as { Statement: Statement[] }).Statement),
  ];
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const matches = (pattern: string, action: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action);

describe.each(built)('the execution role of $spec', ({ templates }) => {
  const environments = [...new Set(templates.map((t) => t.path.split('/')[0] as string))];

  test.each(environments)('%s: holds every handler permission its templates need, and no service wildcard', (environment) => {
    // GIVEN every template the execution role deploys (all but the bootstrap, which is deployed by hand)
    const own = templates.filter((t) => t.path.startsWith(`${environment}/`) && t.path !== `${environment}/bootstrap.yaml`);
    const types = new Set(own.flatMap((t) => Object.values(t.template.Resources).map((r) => r.Type)));
    const bootstrap = templates.find((t) => t.path === `${environment}/bootstrap.yaml`)?.template as Template;
    const allowed = executionStatements(bootstrap).filter((s) => s.Effect === 'Allow');

    // THEN every type is one gantry knows the permissions of
    expect([...types].filter((t) => !GENERATED_RESOURCE_TYPES.includes(t))).toEqual([]);
    // AND every create/read/update/delete handler permission of those types is allowed
    const needed = deployPermissions(types).filter((a) => !WITHHELD_ACTIONS.includes(a));
    const missing = needed.filter((action) => !allowed.some((s) => actionsOf(s).some((p) => matches(p, action))));
    expect(missing).toEqual([]);
    // AND no statement grants a whole service (`kms:*`) or everything
    expect(allowed.flatMap(actionsOf).filter((a) => a === '*' || /^[a-z0-9-]+:\*$/i.test(a))).toEqual([]);
    // AND the role may create roles and give them policies only with the bootstrap's boundary
    const roleWrites = allowed.filter((s) => actionsOf(s).some((a) => ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy'].some((w) => matches(a, w))));
    expect(roleWrites.length).toBeGreaterThan(0);
    for (const s of roleWrites) expect(JSON.stringify(s.Condition)).toContain('iam:PermissionsBoundary');
    // AND each type whose handler may create its service-linked role may create exactly that one
    const linked = allowed.find((s) => actionsOf(s).includes('iam:CreateServiceLinkedRole'));
    const services = JSON.stringify(linked?.Condition);
    const creators = [...types].filter((t) => deployPermissions([t]).includes('iam:CreateServiceLinkedRole') || SERVICE_LINKED_ROLES[t]);
    expect(creators.filter((t) => !SERVICE_LINKED_ROLES[t] || !services.includes(`"${SERVICE_LINKED_ROLES[t]}"`))).toEqual([]);
  });

  test.each(environments)('%s: every role its stacks create carries the boundary', (environment) => {
    const roles = templates.filter((t) => t.path.startsWith(`${environment}/`) && t.path !== `${environment}/bootstrap.yaml`)
      .flatMap((t) => Object.entries(t.template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role').map(([id, r]) => [`${t.path} ${id}`, r] as const));
    expect(roles.filter(([, r]) => !JSON.stringify(r.Properties?.PermissionsBoundary ?? '').includes('-boundary')).map(([id]) => id)).toEqual([]);
  });
});

describe('SERVICE_LINKED_ROLES', () => {
  test('names the role of every generated type whose handler may create one', () => {
    const creators = GENERATED_RESOURCE_TYPES.filter((t) => deployPermissions([t]).includes('iam:CreateServiceLinkedRole'));
    expect(creators.filter((t) => !SERVICE_LINKED_ROLES[t])).toEqual([]);
    expect(SERVICE_LINKED_ROLES['AWS::Chatbot::SlackChannelConfiguration']).toBe('management.chatbot.amazonaws.com');
  });
});

describe('deployPermissions', () => {
  test('takes the handler lists of registry types and the documented calls of the others', () => {
    expect(deployPermissions(['AWS::Lambda::Function'])).toContain('lambda:CreateFunction');
    expect(deployPermissions(['AWS::Lambda::Function'])).not.toContain('lambda:InvokeFunction');
    expect(deployPermissions(['Custom::DefaultSecurityGroupClosed'])).toEqual(['lambda:InvokeFunction']);
    expect(deployPermissions(['AWS::Route53::RecordSet'])).toContain('route53:ChangeResourceRecordSets');
  });
});
