import { loadSpecText } from '../../../generator/spec/load';
import { checkLoadedSpec } from '../../../generator/pipeline';
import type { PlatformModel } from '../../../generator/model/types';
import { buildBootstrapTemplate } from '../../../generator/stacks/bootstrap';
import { buildEdgeTemplate } from '../../../generator/stacks/edge';
import { buildTierTemplate, DENY_WITHOUT_ORIGIN_HEADER } from '../../../generator/stacks/tier';
import { deployPlan } from '../../../generator/stacks/plan';
import { ORIGIN_HEADER, originSecretOf, originSecretRegions } from '../../../generator/stacks/origin-secret';
import { deployTargets } from '../../../generator/workflows/shared';
import { buildOriginSecretWorkflow } from '../../../generator/workflows/origin-secret';

type Resource = { Type: string; Properties?: Record<string, any>; Metadata?: any };
type Template = { Resources: Record<string, Resource>; Parameters?: Record<string, any> };

function model(extra: string, regions = '[eu-west-1]', tiers = '  web: {}\n'): PlatformModel {
  const text = `version: 1\nproject: shop\ngithub: { repository: acme/shop }\n${extra}tiers:\n${tiers}environments:\n  prod: { account: "123456789012", regions: ${regions} }\n`;
  const loaded = loadSpecText('spec.yaml', Buffer.from(text));
  if (!loaded.ok) throw new Error(loaded.diagnostics[0]?.message);
  const report = checkLoadedSpec(loaded.spec);
  if (!report.model) throw new Error(report.diagnostics.map((d) => d.message).join('\n'));
  return report.model;
}

const EDGE = 'edge: { domain: app.example.com, zone: example.com }\n';
const TWO_REGIONS = '[eu-west-1, { name: eu-central-1, cidr: 10.1.0.0/16 }]';
const reference = (parameter: string) => ({ 'Fn::Join': ['', ['{{resolve:secretsmanager:shop-prod/origin-verify:SecretString:::', { Ref: parameter }, '}}']] });

describe('the secret origin header', () => {
  const m = model(EDGE, TWO_REGIONS);
  const environment = m.environments[0]!;

  it('is a secret that Secrets Manager generates in the bootstrap, replicated to every region that reads it', () => {
    // GIVEN an environment in eu-west-1 and eu-central-1 with an API behind CloudFront (us-east-1)
    const bootstrap = buildBootstrapTemplate(m, environment) as Template;
    // THEN the bootstrap (deployed by hand before every other stack, in the first region) creates the secret
    const secret = bootstrap.Resources.OriginSecret!;
    expect(secret.Type).toBe('AWS::SecretsManager::Secret');
    expect(secret.Properties).toMatchObject({
      Name: 'shop-prod/origin-verify',
      // lower case and digits only: a listener compares header values case-insensitively and reads * and ? as wildcards
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, ExcludeUppercase: true },
      ReplicaRegions: [{ Region: 'eu-central-1' }, { Region: 'us-east-1' }],
    });
    expect(secret.Properties!.SecretString).toBeUndefined();
    expect(originSecretRegions(environment)).toEqual({ primary: 'eu-west-1', replicas: ['eu-central-1', 'us-east-1'] });
    // AND its rotation without a Lambda is acknowledged with a reason
    expect(secret.Metadata.cdk_nag.rules_to_suppress).toEqual([expect.objectContaining({ id: 'AwsSolutions-SMG4', reason: expect.stringContaining('gantry-origin-secret') })]);
  });

  it('is not replicated to the region that holds it', () => {
    const east = model(EDGE, '[us-east-1]');
    expect(originSecretRegions(east.environments[0]!)).toEqual({ primary: 'us-east-1', replicas: [] });
    expect((buildBootstrapTemplate(east, east.environments[0]!) as Template).Resources.OriginSecret!.Properties!.ReplicaRegions).toBeUndefined();
  });

  it('does not exist without an API behind CloudFront', () => {
    const plain = model('', '[eu-west-1]');
    expect(originSecretOf(plain.environments[0]!)).toBeUndefined();
    expect((buildBootstrapTemplate(plain, plain.environments[0]!) as Template).Resources.OriginSecret).toBeUndefined();
    expect(buildOriginSecretWorkflow(plain, { specFile: 'environment.yaml', outDir: 'output', workflowsDir: '.github/workflows' })).toBeUndefined();
    // AND a public tier with no CloudFront forwards everything, as before
    const region = plain.environments[0]!.regions[0]!;
    const tier = buildTierTemplate(plain.environments[0]!, region, region.tiers[0]!) as Template;
    expect(Object.values(tier.Resources).filter((r) => r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule')).toEqual([]);
    expect(tier.Resources.ForwardListener!.Properties!.DefaultActions[0].Type).toBe('forward');
  });

  test.each(['eu-west-1', 'eu-central-1'])('%s: the origin tier\'s listener answers 403 by default, and forwards only requests carrying the header', (name) => {
    // GIVEN the origin tier's stack in a region
    const region = environment.regions.find((r) => r.region === name)!;
    const tier = buildTierTemplate(environment, region, region.tiers[0]!) as Template;
    // THEN the HTTPS listener's default action is a fixed 403
    const listener = tier.Resources.ForwardListener!.Properties!;
    expect(listener.DefaultActions).toEqual([{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '403', ContentType: 'text/plain', MessageBody: 'Forbidden' } }]);
    expect(DENY_WITHOUT_ORIGIN_HEADER.fixedResponseConfig.statusCode).toBe('403');
    // AND two rules forward to the target group: the header's current value, and its previous one during a rotation
    const rules = Object.entries(tier.Resources).filter(([, r]) => r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule').sort(([a], [b]) => a.localeCompare(b));
    expect(rules.map(([id, r]) => [id, r.Properties!.Priority, r.Properties!.ListenerArn, r.Properties!.Actions, r.Properties!.Conditions])).toEqual([
      ['OriginHeaderPreviousRule', 2, { Ref: 'ForwardListener' }, [{ Type: 'forward', TargetGroupArn: { Ref: 'TargetGroup' } }],
        [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: ORIGIN_HEADER, Values: [reference('OriginHeaderPreviousVersion')] } }]],
      ['OriginHeaderRule', 1, { Ref: 'ForwardListener' }, [{ Type: 'forward', TargetGroupArn: { Ref: 'TargetGroup' } }],
        [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: ORIGIN_HEADER, Values: [reference('OriginHeaderVersion')] } }]],
    ]);
    // AND the prefix list still limits who reaches the load balancer at all
    expect(tier.Resources.LoadBalancerSecurityGroup!.Properties!.SecurityGroupIngress).toEqual([
      expect.objectContaining({ FromPort: 443, SourcePrefixListId: { Ref: 'CloudFrontPrefixListId' } }),
    ]);
    // AND the version ids are parameters (the value itself appears nowhere in the template)
    expect(tier.Parameters!.OriginHeaderVersion).toMatchObject({ Type: 'String', AllowedPattern: '^[A-Za-z0-9-]{32,64}$' });
    expect(tier.Parameters!.OriginHeaderPreviousVersion).toMatchObject({ Type: 'String' });
  });

  it('is what CloudFront sends to the API origin, at the current version', () => {
    const edge = buildEdgeTemplate(m, environment) as Template;
    const origins = edge.Resources.Distribution!.Properties!.DistributionConfig.Origins as { Id: string; OriginCustomHeaders?: unknown }[];
    expect(origins.find((o) => o.Id === 'api')!.OriginCustomHeaders).toEqual([{ HeaderName: 'X-Origin-Verify', HeaderValue: reference('OriginHeaderVersion') }]);
    expect(edge.Parameters!.OriginHeaderVersion).toMatchObject({ Type: 'String' });
    // AND the site's S3 origin gets no header
    const site = model(`edge: { domain: app.example.com, zone: example.com, site: { spa: true }, api: { tier: web, path: /api/* } }\n`);
    const siteOrigins = (buildEdgeTemplate(site, site.environments[0]!) as Template).Resources.Distribution!.Properties!.DistributionConfig.Origins as { Id: string; OriginCustomHeaders?: unknown }[];
    expect(siteOrigins.find((o) => o.Id === 'site')!.OriginCustomHeaders).toBeUndefined();
  });

  it('reaches the stacks in an order that never refuses CloudFront: bootstrap first, the regions\' load balancers, then the edge', () => {
    // The deploys look up each region's version ids; the regions deploy before 'global' (the edge).
    expect(deployTargets(m, environment)).toEqual(['eu-west-1', 'eu-central-1', 'global']);
    for (const name of ['eu-west-1', 'eu-central-1']) {
      const web = deployPlan(environment, name, () => 0).find((s) => s.stackName === 'shop-prod-web')!;
      expect(web.lookups.filter((l) => l.lookup === 'secret-version')).toEqual([
        { name: 'OriginHeaderVersion', lookup: 'secret-version', secretId: 'shop-prod/origin-verify', stage: 'AWSCURRENT' },
        { name: 'OriginHeaderPreviousVersion', lookup: 'secret-version', secretId: 'shop-prod/origin-verify', stage: 'AWSPREVIOUS' },
      ]);
    }
    expect(deployPlan(environment, 'global', () => 0).find((s) => s.stackName === 'shop-prod-edge')!.lookups).toContainEqual(
      { name: 'OriginHeaderVersion', lookup: 'secret-version', secretId: 'shop-prod/origin-verify', stage: 'AWSCURRENT' });
  });

  it('may be read by version id only by the workflows, resolved by the execution role, and rotated only by the deploy role', () => {
    const bootstrap = buildBootstrapTemplate(m, environment) as Template;
    type Statement = { Sid: string; Effect: string; Action: string | string[]; Resource: unknown };
    const inline = (id: string) => (bootstrap.Resources[id]!.Properties!.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
    const arn = { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:*:${AWS::AccountId}:secret:shop-prod/origin-verify-??????' };
    const secretActions = (id: string) => inline(id).filter((s) => JSON.stringify(s.Action).includes('secretsmanager:')).map((s) => [s.Action, s.Resource]);
    expect(secretActions('ChangeSetRole')).toEqual([['secretsmanager:DescribeSecret', arn]]);
    expect(secretActions('DeployRole')).toEqual([
      [expect.arrayContaining(['secretsmanager:GetRandomPassword']), '*'],
      [['secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'], arn],
    ]);
    // AND the execution role, which resolves the dynamic references, may read secret values (its handler permissions)
    const managed = Object.values(bootstrap.Resources).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy' && JSON.stringify(r.Properties!.Roles) === JSON.stringify([{ Ref: 'ExecutionRole' }]))
      .flatMap((r) => (r.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
    expect(managed.some((s) => s.Effect === 'Allow' && s.Resource === '*' && ([] as string[]).concat(s.Action).includes('secretsmanager:GetSecretValue'))).toBe(true);
    // AND the drift role never reads a secret's value
    expect(JSON.stringify(bootstrap.Resources.DriftRole)).not.toContain('GetSecretValue');
  });
});
