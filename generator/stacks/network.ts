import { CfnOutput, CfnParameter, Fn, type CfnResource, type Stack } from 'aws-cdk-lib';
import { KNOWN_GOOD_ZONE_IDS } from '../aws/regions';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnVPC, CfnEIP, CfnNatGateway, CfnRoute, CfnRouteTable, CfnSecurityGroup, CfnSubnet, CfnSubnetRouteTableAssociation, CfnVPCEndpoint } from 'aws-cdk-lib/aws-ec2';
import type { Endpoint, EnvironmentModel, RegionModel, SubnetKind, SubnetModel } from '../model/types';
import { includeBlueprint, newTemplateStack, templateOf } from './cdk';
import { LITERAL_VALUES, type InstanceValues } from './instance-values';
import { ZONE_IDS_PARAMETER } from './kinds';
import { acknowledge, applyTags } from './tags';

/** Interface endpoints per spec name: `ssm` is the three that Session Manager needs. */
const INTERFACE_SERVICES: Partial<Record<Endpoint, readonly string[]>> = {
  ssm: ['ssm', 'ssmmessages', 'ec2messages'],
  logs: ['logs'],
  monitoring: ['monitoring'],
  secretsmanager: ['secretsmanager'],
  kms: ['kms'],
  sts: ['sts'],
};
const GATEWAY_SERVICES: Partial<Record<Endpoint, string>> = { s3: 's3', dynamodb: 'dynamodb' };

/** A VPC's IPv4 CIDR block: /16 to /24, as the spec allows. */
const CIDR_PATTERN = '^(\\d{1,3}\\.){3}\\d{1,3}/(1[6-9]|2[0-4])$';

const KIND_NAME: Record<SubnetKind, string> = { public: 'Public', private: 'Private', isolated: 'Isolated' };

/** Logical id of a subnet: PublicSubnet1, PrivateSubnet2, ... (AZs counted from 1). */
export function subnetId(kind: SubnetKind, az: number): string {
  return `${KIND_NAME[kind]}Subnet${az + 1}`;
}


function zoneIdsParameter(stack: Stack, count: number): string[] {
  const parameter = new CfnParameter(stack, ZONE_IDS_PARAMETER, {
    type: 'CommaDelimitedList',
    description: `The ids of the ${count} availability zones the subnets go in, in order; the rollout (deploy.sh) looks them up in each instance's region`,
  });
  parameter.overrideLogicalId(ZONE_IDS_PARAMETER);
  return parameter.valueAsList;
}

/**
 * The network stack of one environment and region, from blueprints/network.yaml: the VPC and its
 * subnets as the model carved them, NAT per `natGateways`, endpoints, flow logs; outputs the ids
 * the other stacks import. For a stack set, the CIDRs are parameters each instance sets.
 */
export function buildNetworkTemplate(environment: EnvironmentModel, region: RegionModel, values: InstanceValues = LITERAL_VALUES): Record<string, unknown> {
  const stack = newTemplateStack();
  const blueprint = includeBlueprint(stack, 'network');
  const network = region.network;
  const vpc = blueprint.getResource('Vpc');
  const vpcId = vpc.ref;
  // Literal CIDRs where the template is for one region: cdk-nag's security group rules cannot
  // judge a CIDR behind an intrinsic.
  const vpcCidr = values.string(stack, 'VpcCidr', network.cidr, { description: "The VPC's IPv4 CIDR block", allowedPattern: CIDR_PATTERN });
  (vpc as CfnVPC).cidrBlock = vpcCidr;
  const subnetCidrs = new Map<SubnetModel, string>();
  for (const kind of ['public', 'private', 'isolated'] as const) {
    const subnets = network.subnets.filter((s) => s.kind === kind);
    const cidrs = values.list(stack, `${KIND_NAME[kind]}SubnetCidrs`, subnets.map((s) => s.cidr), {
      description: `The CIDR blocks of the ${kind} subnets, one per availability zone in order, inside VpcCidr`,
    });
    subnets.forEach((subnet, i) => subnetCidrs.set(subnet, cidrs[i] as string));
  }

  if (network.flowLogs) {
    (blueprint.getResource('FlowLogGroup') as CfnLogGroup).retentionInDays = network.flowLogRetentionDays;
  } else {
    for (const id of ['FlowLog', 'FlowLogRole', 'FlowLogGroup', 'FlowLogKey']) blueprint.node.tryRemoveChild(id);
    acknowledge(vpc, [{ id: 'AwsSolutions-VPC7', reason: 'The spec sets network.flowLogs: false for this environment.' }]);
  }

  const add = <T extends CfnResource>(id: string, resource: T): T => {
    resource.overrideLogicalId(id);
    return resource;
  };
  // Zones by id where an index could land in a constrained zone (us-east-1), by index elsewhere.
  // A stack set's template names no region: its zone ids are a parameter that the rollout looks up
  // in each instance's region, without the constrained zones (docs/facts.md, "Availability zones by id").
  const ids = values.portable ? undefined : KNOWN_GOOD_ZONE_IDS[region.region];
  const zoneIds = values.portable ? zoneIdsParameter(stack, network.availabilityZones) : undefined;
  const zonePlacement = (index: number) => (zoneIds ? { availabilityZoneId: Fn.select(index, zoneIds) }
    : ids ? { availabilityZoneId: ids[index] } : { availabilityZone: Fn.select(index, Fn.getAzs()) });
  const subnetsOf = (kind: SubnetKind) => network.subnets.filter((s) => s.kind === kind);

  // Subnets, each associated with its kind's route table.
  const privateRouteTables: CfnRouteTable[] = [];
  for (const subnet of network.subnets) {
    const id = subnetId(subnet.kind, subnet.az);
    const resource = add(id, new CfnSubnet(stack, id, {
      vpcId,
      cidrBlock: subnetCidrs.get(subnet) as string,
      ...zonePlacement(subnet.az),
      mapPublicIpOnLaunch: false,
      tags: [{ key: 'Name', value: Fn.sub(`\${AWS::StackName}-${subnet.kind}-${subnet.az + 1}`) }],
    }));
    let routeTableId: string;
    if (subnet.kind === 'public') routeTableId = blueprint.getResource('PublicRouteTable').ref;
    else if (subnet.kind === 'isolated') routeTableId = blueprint.getResource('IsolatedRouteTable').ref;
    else {
      const table = add(`PrivateRouteTable${subnet.az + 1}`, new CfnRouteTable(stack, `PrivateRouteTable${subnet.az + 1}`, {
        vpcId,
        tags: [{ key: 'Name', value: Fn.sub(`\${AWS::StackName}-private-${subnet.az + 1}`) }],
      }));
      privateRouteTables.push(table);
      routeTableId = table.ref;
    }
    add(`${id}RouteTableAssociation`, new CfnSubnetRouteTableAssociation(stack, `${id}RouteTableAssociation`, { subnetId: resource.ref, routeTableId }));
  }

  // NAT gateways in the public subnets: one per AZ, one for all, or none.
  const natCount = network.natGateways === 'perAz' ? network.availabilityZones : network.natGateways === 'single' ? 1 : 0;
  const nats: CfnNatGateway[] = [];
  for (let i = 0; i < natCount; i++) {
    const eip = add(`NatGateway${i + 1}Eip`, new CfnEIP(stack, `NatGateway${i + 1}Eip`, { domain: 'vpc' }));
    // An Elastic IP in a VPC needs the internet gateway attached first.
    eip.addResourceDependency(blueprint.getResource('InternetGatewayAttachment'));
    nats.push(add(`NatGateway${i + 1}`, new CfnNatGateway(stack, `NatGateway${i + 1}`, {
      subnetId: Fn.ref(subnetId('public', i)),
      allocationId: eip.attrAllocationId,
      tags: [{ key: 'Name', value: Fn.sub(`\${AWS::StackName}-${i + 1}`) }],
    })));
  }
  privateRouteTables.forEach((table, i) => {
    const nat = nats[Math.min(i, nats.length - 1)];
    if (!nat) return;
    add(`PrivateRouteTable${i + 1}DefaultRoute`, new CfnRoute(stack, `PrivateRouteTable${i + 1}DefaultRoute`, {
      routeTableId: table.ref, destinationCidrBlock: '0.0.0.0/0', natGatewayId: nat.ref,
    }));
  });

  // Endpoints: gateways on the private and isolated route tables, interfaces in the private subnets.
  const routeTables = [...privateRouteTables.map((t) => t.ref), blueprint.getResource('IsolatedRouteTable').ref];
  const interfaces = network.endpoints.flatMap((e) => INTERFACE_SERVICES[e] ?? []);
  for (const endpoint of network.endpoints) {
    const service = GATEWAY_SERVICES[endpoint];
    if (!service) continue;
    const id = `${endpoint === 's3' ? 'S3' : 'DynamoDb'}GatewayEndpoint`;
    add(id, new CfnVPCEndpoint(stack, id, {
      vpcId, serviceName: Fn.sub(`com.amazonaws.\${AWS::Region}.${service}`), vpcEndpointType: 'Gateway', routeTableIds: routeTables,
    }));
  }
  if (interfaces.length > 0) {
    const group = add('EndpointSecurityGroup', new CfnSecurityGroup(stack, 'EndpointSecurityGroup', {
      groupDescription: 'Interface endpoints: HTTPS from inside the VPC',
      vpcId,
      securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: vpcCidr, description: 'HTTPS from the VPC' }],
      // Endpoints answer; they never start connections.
      securityGroupEgress: [{ ipProtocol: 'icmp', fromPort: 252, toPort: 86, cidrIp: '255.255.255.255/32', description: 'No outbound traffic' }],
    }));
    if (values.portable) {
      acknowledge(group, [{
        id: 'AwsSolutions-EC23',
        reason: 'The only ingress is HTTPS from the VPC CIDR (parameter VpcCidr), never 0.0.0.0/0; cdk-nag cannot read a parameter and reports an error instead of a verdict.',
      }]);
    }
    for (const service of interfaces) {
      const id = `${service.charAt(0).toUpperCase()}${service.slice(1)}Endpoint`;
      add(id, new CfnVPCEndpoint(stack, id, {
        vpcId,
        serviceName: Fn.sub(`com.amazonaws.\${AWS::Region}.${service}`),
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: subnetsOf('private').map((s) => Fn.ref(subnetId('private', s.az))),
        securityGroupIds: [group.attrGroupId],
      }));
    }
  }

  // Outputs the tier and database stacks import.
  for (const kind of ['public', 'private', 'isolated'] as const) {
    const name = `${KIND_NAME[kind]}SubnetIds`;
    new CfnOutput(stack, name, {
      description: `The ${kind} subnets, one per availability zone`,
      value: Fn.join(',', subnetsOf(kind).map((s) => Fn.ref(subnetId(kind, s.az)))),
      exportName: Fn.sub(`\${AWS::StackName}-${name}`),
    }).overrideLogicalId(name);
  }

  applyTags(stack, environment.tags);
  return templateOf(stack);
}
