import fs from 'node:fs';
import path from 'node:path';
import { readSpec } from '../../../generator/pipeline';
import { buildBootstrapTemplate } from '../../../generator/stacks/bootstrap';
import { DRIFT_READ_PERMISSIONS, driftReadActions } from '../../../generator/stacks/drift-permissions';
import { JOB_MINUTES } from '../../../generator/workflows/timeouts';
import { REPO_ROOT } from '../../helpers';

type Statement = { Sid: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Role = { Properties: { MaxSessionDuration: number; ManagedPolicyArns?: unknown; Policies: { PolicyDocument: { Statement: Statement[] } }[] } };

const model = readSpec(path.join(REPO_ROOT, 'examples/medical-logistics.yaml')).model!;
const prod = model.environments.find((e) => e.name === 'prod')!;
const template = buildBootstrapTemplate(model, prod) as { Resources: Record<string, Role> };
const statements = (role: string) => template.Resources[role]!.Properties.Policies[0]!.PolicyDocument.Statement;
const actions = (role: string) => statements(role).flatMap((s) => [s.Action].flat());
const regionsOf = (role: string, sid: string) => JSON.stringify(statements(role).find((s) => s.Sid === sid)!.Resource).match(/cloudformation:[a-z0-9-]+:/g)!.sort();

describe('the GitHub roles of the bootstrap stack', () => {
  it('act in every region the environment\'s stacks use: its own, and us-east-1 for its global stacks', () => {
    const expected = ['cloudformation:af-south-1:', 'cloudformation:eu-west-1:', 'cloudformation:us-east-1:'];
    expect(regionsOf('DeployRole', 'DeployThisEnvironmentsStacks')).toEqual(expected);
    expect(regionsOf('ChangeSetRole', 'ChangeSetsOnThisEnvironmentsStacks').filter((r, i, all) => all.indexOf(r) === i)).toEqual(expected);
    expect(regionsOf('DriftRole', 'DetectDriftOnThisEnvironmentsStacks')).toEqual(expected);
  });

  it('may call every lookup the plans and deploys make (the api stack\'s CloudFront prefix list)', () => {
    for (const role of ['DeployRole', 'ChangeSetRole']) {
      expect(actions(role)).toEqual(expect.arrayContaining(['ec2:DescribeManagedPrefixLists', 'route53:ListHostedZonesByName']));
    }
  });

  it('have sessions as long as the longest job that assumes them', () => {
    expect(template.Resources.DeployRole!.Properties.MaxSessionDuration).toBe(Math.max(JOB_MINUTES.deploy, JOB_MINUTES.release) * 60);
    expect(template.Resources.ChangeSetRole!.Properties.MaxSessionDuration).toBeGreaterThanOrEqual(JOB_MINUTES.plan * 60);
    expect(template.Resources.DriftRole!.Properties.MaxSessionDuration).toBeGreaterThanOrEqual(JOB_MINUTES.drift * 60);
    expect(template.Resources.DeployRole!.Properties.MaxSessionDuration).toBeLessThanOrEqual(43_200);
  });

  it('let the deploy role tag only the AMIs and snapshots a release creates', () => {
    const tag = statements('DeployRole').filter((s) => [s.Action].flat().includes('ec2:CreateTags'));
    expect(tag).toHaveLength(1);
    expect(JSON.stringify(tag[0]!.Resource)).not.toMatch(/"\*"|instance\//);
    expect(tag[0]!.Condition).toEqual({ StringEquals: { 'ec2:CreateAction': ['CreateImage', 'CopyImage'] } });
    expect(actions('DeployRole')).toEqual(expect.arrayContaining(['ssm:LabelParameterVersion', 'ssm:UnlabelParameterVersion']));
  });

  it('give the drift role configuration reads only: no ReadOnlyAccess, no object data, no secret values, no writes', () => {
    const drift = template.Resources.DriftRole!.Properties;
    expect(drift.ManagedPolicyArns).toBeUndefined();
    const all = actions('DriftRole');
    expect(all).toEqual(expect.arrayContaining(['cloudformation:DetectStackDrift', 'cloudformation:DescribeStackDriftDetectionStatus', 'ec2:Describe*', 'budgets:ViewBudget']));
    expect(all.filter((a) => !/^[a-z0-9-]+:(Describe|Get|List|Detect|View)/.test(a))).toEqual([]);
    expect(all).not.toEqual(expect.arrayContaining(['s3:GetObject']));
    expect(all.some((a) => a === 'secretsmanager:GetSecretValue' || a === '*' || a.endsWith(':*'))).toBe(false);
  });
});

describe('the drift role\'s reads', () => {
  const data = path.join(REPO_ROOT, '../shared/data/cfn-handler-permissions.json');
  (fs.existsSync(data) ? it : it.skip)('are the read-handler permissions AWS publishes, as drift-permissions.ts says', () => {
    const types = (JSON.parse(fs.readFileSync(data, 'utf8')) as { types: Record<string, { read?: string[] }> }).types;
    const unused = /^(apprunner|appsync|cognito-idp|apigateway|managed-fleets):|VerifiedAccess|TransitGateway|GetSecretValue|^autoscaling:Describe[A-Z]/;
    const recomputed = [...new Set(Object.values(types).flatMap((t) => t.read ?? []).map((p) => p.replace(/^[^:]+/, (s) => s.toLowerCase())))]
      .filter((p) => /:(Describe|Get|List)/.test(p) && !unused.test(p)).sort();
    expect([...DRIFT_READ_PERMISSIONS]).toEqual(recomputed);
    expect(driftReadActions()).toEqual([...driftReadActions()].sort());
  });
});
