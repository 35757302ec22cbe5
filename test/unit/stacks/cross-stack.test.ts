import path from 'node:path';
import { readSpec } from '../../../generator/pipeline';
import { checkCrossStackReferences } from '../../../generator/stacks/cross-stack';
import { stackOutline, type StackOutline } from '../../../generator/stacks/kinds';
import { regionStacks } from '../../../generator/stacks/registry';
import { REPO_ROOT } from '../../helpers';

// medical-logistics prod's primary region: notifications, network, database (with a read replica), api.
const model = readSpec(path.join(REPO_ROOT, 'examples', 'medical-logistics.yaml')).model!;
const environment = model.environments.find((e) => e.name === 'prod')!;
const region = environment.regions.find((r) => r.primary)!;
const outline = stackOutline(environment, region.region);
const built = regionStacks(model, environment, region);
const stackOf = (kind: string) => outline.find((s) => s.kind.kind === kind)!;
const templateOf = (kind: string) => structuredClone(built.find((s) => s.kind === kind)!.template) as { Outputs: Record<string, any>; Resources: Record<string, any> };
const check = (stack: StackOutline, template: object) => () => checkCrossStackReferences(stack, template as Record<string, unknown>, outline);
const network = stackOf('network').stackName;
const database = stackOf('database').stackName;

describe('cross-stack references (cross-stack.ts)', () => {
  it('accepts what gantry builds: every stack of the region, as built', () => {
    for (const stack of outline) expect(check(stack, built.find((s) => s.stackName === stack.stackName)!.template)).not.toThrow();
    expect(outline.map((s) => s.kind.kind)).toEqual(['notifications', 'network', 'database', 'tier']);
  });

  it('refuses an export the kind does not declare, a declared one that is missing, and one under another name', () => {
    const extra = templateOf('network');
    extra.Outputs.NatGatewayIds = { Value: 'x', Export: { Name: { 'Fn::Sub': '${AWS::StackName}-NatGatewayIds' } } };
    expect(check(stackOf('network'), extra)).toThrow(`the network stack ${network} exports NatGatewayIds, which its kind does not declare`);

    const missing = templateOf('database');
    delete missing.Outputs.ReadReplica1ResourceId;
    expect(check(stackOf('database'), missing)).toThrow('does not export ReadReplica1ResourceId, which its kind declares');

    const renamed = templateOf('network');
    renamed.Outputs.VpcId.Export.Name = 'the-vpc';
    expect(check(stackOf('network'), renamed)).toThrow(`exports its output VpcId under another name than <stack name>-VpcId`);
  });

  it('refuses a blueprint placeholder left in place, and an import from a stack that deploys later', () => {
    const placeholder = templateOf('database');
    placeholder.Resources.SubnetGroup.Properties.SubnetIds = { 'Fn::Split': [',', { 'Fn::ImportValue': 'NETWORK-IsolatedSubnetIds' }] };
    expect(check(stackOf('database'), placeholder)).toThrow('imports NETWORK-IsolatedSubnetIds, which no stack deployed before it in its region exports');

    const later = templateOf('network');
    later.Resources.Vpc.Metadata = { Client: { 'Fn::ImportValue': `${database}-ClientSecurityGroupId` } };
    expect(check(stackOf('network'), later)).toThrow(`imports ${database}-ClientSecurityGroupId, which no stack deployed before it`);
  });

  it('refuses an output of an earlier stack that the kind does not declare among its imports', () => {
    const template = templateOf('database');
    template.Resources.DatabaseSecurityGroup.Properties.Description = { 'Fn::ImportValue': `${network}-VpcCidr` };
    expect(check(stackOf('database'), template)).toThrow('imports VpcCidr of a network stack, which its kind does not declare among its imports');
  });

  it('reads <n> in a declared import as a number only', () => {
    const tier = stackOf('tier');
    const template = templateOf('tier');
    expect(JSON.stringify(template)).toContain(`${database}-ReadReplica1ResourceId`);
    const forged = { ...stackOf('database'), exports: [...stackOf('database').exports, 'ReadReplicaXResourceId'] };
    const withForged = outline.map((s) => (s.kind.kind === 'database' ? forged : s));
    template.Resources.InstanceRole.Metadata = { Forged: { 'Fn::ImportValue': `${database}-ReadReplicaXResourceId` } };
    expect(() => checkCrossStackReferences(tier, template, withForged)).toThrow('imports ReadReplicaXResourceId of a database stack, which its kind does not declare');
  });

  it('refuses an import whose name is computed', () => {
    const template = templateOf('tier');
    template.Resources.InstanceRole.Metadata = { Computed: { 'Fn::ImportValue': { 'Fn::Sub': '${AWS::StackName}-x' } } };
    expect(check(stackOf('tier'), template)).toThrow('imports a computed export name');
  });
});
