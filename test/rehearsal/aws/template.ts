/**
 * Evaluates a CloudFormation template the way CloudFormation does before it touches a resource:
 * parameters (with SSM parameter types resolved), conditions, physical ids, Ref/GetAtt/Sub/Join/
 * ImportValue and the rest of the intrinsic functions, in dependency order. Missing exports and
 * parameters fail with CloudFormation's own messages, so the scripts' handling of them is exercised.
 */
import crypto from 'node:crypto';
import { AwsError } from './protocol';

export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface EvaluationContext {
  account: string;
  region: string;
  stackName: string;
  stackId: string;
  parameters: Record<string, string>;
  /** Physical ids of resources that already exist, to keep them across updates. */
  existing: Map<string, { type: string; physicalId: string }>;
  importValue(name: string): string | undefined;
  resolveSsm(name: string): string;
}

export interface EvaluatedResource {
  logicalId: string;
  type: string;
  physicalId: string;
  properties: Json;
  dependsOn: string[];
  attributes: Json;
}

export interface Evaluated {
  resources: EvaluatedResource[];
  outputs: { OutputKey: string; OutputValue: string; ExportName?: string; Description?: string }[];
  parameters: { ParameterKey: string; ParameterValue: string; ResolvedValue?: string }[];
}

const ARRAY_ATTRIBUTES = new Set(['SecurityGroups', 'Ipv6CidrBlocks', 'NetworkInterfaces', 'DnsEntries', 'NetworkInterfaceIds', 'CidrBlockAssociations', 'NameServers']);

function short(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** An RDS instance's endpoint: `<id>.<hash of account and region>.<region>.rds.amazonaws.com`. */
export function rdsEndpoint(identifier: string, account: string, region: string): string {
  return `${identifier}.c${short(`${account}/${region}`)}.${region}.rds.amazonaws.com`;
}

/** An RDS instance's resource id (`db-` and 26 upper-case letters and digits), stable for its identifier. */
export function rdsResourceId(identifier: string, account: string, region: string): string {
  const hex = crypto.createHash('sha256').update(`${account}/${region}/${identifier}`).digest('hex');
  return `db-${BigInt(`0x${hex.slice(0, 32)}`).toString(36).toUpperCase().padStart(26, '0').slice(0, 26)}`;
}

export function rdsDefaultPort(engine: string): number {
  if (engine.startsWith('sqlserver')) return 1433;
  if (engine.startsWith('mysql') || engine.startsWith('mariadb')) return 3306;
  if (engine.startsWith('oracle')) return 1521;
  return 5432;
}

/** A physical id in the form AWS gives that type, stable for a stack, logical id and generation. */
export function physicalIdFor(type: string, logicalId: string, properties: Json, ctx: EvaluationContext, generation = 0): string {
  const seed = short(`${ctx.account}/${ctx.region}/${ctx.stackName}/${logicalId}/${generation}`);
  const named = (key: string) => (typeof properties?.[key] === 'string' ? properties[key] as string : undefined);
  switch (type) {
    case 'AWS::IAM::Role': return named('RoleName') ?? `${ctx.stackName}-${logicalId}-${seed.toUpperCase()}`.slice(0, 64);
    case 'AWS::IAM::InstanceProfile': return named('InstanceProfileName') ?? `${ctx.stackName}-${logicalId}-${seed.toUpperCase()}`.slice(0, 128);
    case 'AWS::S3::Bucket': return named('BucketName') ?? `${ctx.stackName}-${logicalId}-${seed}`.toLowerCase().slice(0, 63);
    case 'AWS::SNS::Topic': return `arn:aws:sns:${ctx.region}:${ctx.account}:${named('TopicName') ?? `${ctx.stackName}-${logicalId}-${seed}`}`;
    case 'AWS::SSM::Parameter': return named('Name') ?? `CFN-${logicalId}-${seed}`;
    case 'AWS::Lambda::Function': return named('FunctionName') ?? `${ctx.stackName}-${logicalId}-${seed}`.slice(0, 64);
    case 'AWS::Logs::LogGroup': return named('LogGroupName') ?? `${ctx.stackName}-${logicalId}-${seed}`;
    case 'AWS::KMS::Key': return `${seed.slice(0, 8)}-${seed.slice(8, 12)}-4000-8000-${short(seed).slice(0, 12)}`;
    case 'AWS::Route53::HostedZone': return `Z${seed.toUpperCase()}`;
    case 'AWS::CloudFront::Distribution': return `E${seed.toUpperCase()}`;
    case 'AWS::RDS::DBInstance': return (named('DBInstanceIdentifier') ?? `${ctx.stackName}-${logicalId}-${seed}`).toLowerCase();
    // Route 53 names a health check by a UUID, and CloudFormation a record set by its name.
    case 'AWS::Route53::HealthCheck': return `${seed.slice(0, 8)}-${seed.slice(8, 12)}-4000-8000-${short(`${seed}hc`).slice(0, 12)}`;
    case 'AWS::Route53::RecordSet': return named('Name') ?? `${ctx.stackName}-${logicalId}-${seed}`;
    // Ref of these returns an ARN: the provider's ends in its URL's host and path; a secret's in its
    // name and six random characters (a replica's differs only in the region); a target attachment's
    // is its secret's.
    // @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-oidcprovider.html#aws-resource-iam-oidcprovider-return-values
    // @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-secretsmanager-secret.html#aws-resource-secretsmanager-secret-return-values
    case 'AWS::IAM::OIDCProvider': return `arn:aws:iam::${ctx.account}:oidc-provider/${String(properties?.Url ?? '').replace(/^https:\/\//, '')}`;
    case 'AWS::SecretsManager::Secret': return `arn:aws:secretsmanager:${ctx.region}:${ctx.account}:secret:${named('Name') ?? `${logicalId}-${seed}`}-${seed.slice(0, 6)}`;
    case 'AWS::SecretsManager::SecretTargetAttachment': return typeof properties?.SecretId === 'string' ? properties.SecretId as string : `${ctx.stackName}-${logicalId}-${seed}`;
    default: {
      const ec2Prefixes: Record<string, string> = {
        'AWS::EC2::VPC': 'vpc', 'AWS::EC2::Subnet': 'subnet', 'AWS::EC2::SecurityGroup': 'sg', 'AWS::EC2::InternetGateway': 'igw',
        'AWS::EC2::NatGateway': 'nat', 'AWS::EC2::RouteTable': 'rtb', 'AWS::EC2::EIP': 'eipalloc', 'AWS::EC2::LaunchTemplate': 'lt',
        'AWS::EC2::VPCEndpoint': 'vpce', 'AWS::EC2::FlowLog': 'fl', 'AWS::EC2::NetworkAcl': 'acl', 'AWS::EC2::EgressOnlyInternetGateway': 'eigw',
      };
      const prefix = ec2Prefixes[type];
      if (prefix) return `${prefix}-${seed.slice(0, 17)}`;
      const service = type.split('::')[1]?.toLowerCase() ?? 'x';
      if (type.startsWith('AWS::ElasticLoadBalancingV2::')) return `arn:aws:elasticloadbalancing:${ctx.region}:${ctx.account}:${type.split('::')[2]?.toLowerCase()}/${ctx.stackName}/${seed}`;
      return `${ctx.stackName}-${logicalId}-${seed}`.slice(0, 128).replace(/^$/, service);
    }
  }
}

/** The value of `Fn::GetAtt` for the attributes the stacks read; an Arn is built as AWS builds it. */
function attribute(resource: { type: string; physicalId: string; properties: Json }, name: string, ctx: EvaluationContext): Json {
  const { type, physicalId } = resource;
  if (name === 'Arn') {
    switch (type) {
      case 'AWS::IAM::Role': return `arn:aws:iam::${ctx.account}:role/${physicalId}`;
      case 'AWS::IAM::InstanceProfile': return `arn:aws:iam::${ctx.account}:instance-profile/${physicalId}`;
      case 'AWS::S3::Bucket': return `arn:aws:s3:::${physicalId}`;
      case 'AWS::SNS::Topic': return physicalId;
      case 'AWS::Lambda::Function': return `arn:aws:lambda:${ctx.region}:${ctx.account}:function:${physicalId}`;
      case 'AWS::Logs::LogGroup': return `arn:aws:logs:${ctx.region}:${ctx.account}:log-group:${physicalId}:*`;
      case 'AWS::KMS::Key': return `arn:aws:kms:${ctx.region}:${ctx.account}:key/${physicalId}`;
      default: {
        if (physicalId.startsWith('arn:')) return physicalId;
        const [, service = 'x', kind = 'x'] = type.split('::');
        return `arn:aws:${service.toLowerCase()}:${ctx.region}:${ctx.account}:${kind.toLowerCase()}/${physicalId}`;
      }
    }
  }
  if (ARRAY_ATTRIBUTES.has(name)) return [`${physicalId}-${name}-1`];
  if (type === 'AWS::RDS::DBInstance') {
    // As RDS names them: the ARN by identifier, the endpoint under the account's per-region hash.
    if (name === 'DBInstanceArn') return `arn:aws:rds:${ctx.region}:${ctx.account}:db:${physicalId}`;
    if (name === 'Endpoint.Address') return rdsEndpoint(physicalId, ctx.account, ctx.region);
    if (name === 'Endpoint.Port') return String(resource.properties?.Port ?? rdsDefaultPort(String(resource.properties?.Engine ?? 'postgres')));
    if (name === 'DbiResourceId') return rdsResourceId(physicalId, ctx.account, ctx.region);
    if (name === 'MasterUserSecret.SecretArn') return `arn:aws:secretsmanager:${ctx.region}:${ctx.account}:secret:rds!db-${rdsResourceId(physicalId, ctx.account, ctx.region).slice(3).toLowerCase()}-${short(physicalId).slice(0, 6)}`;
  }
  if (type === 'AWS::Route53::HealthCheck' && name === 'HealthCheckId') return physicalId;
  if (type === 'AWS::S3::Bucket' && name === 'DomainName') return `${physicalId}.s3.amazonaws.com`;
  if (type === 'AWS::S3::Bucket' && name === 'RegionalDomainName') return `${physicalId}.s3.${ctx.region}.amazonaws.com`;
  if (name === 'DNSName' || name === 'DomainName') return `${short(physicalId)}.${ctx.region}.elb.amazonaws.com`;
  if (name === 'CanonicalHostedZoneID') return 'Z32O12XQLNTSW2';
  return `${physicalId}.${name}`;
}

function references(value: Json, into: Set<string>): void {
  if (Array.isArray(value)) { value.forEach((v) => references(v, into)); return; }
  if (!value || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'Ref' && typeof inner === 'string') into.add(inner);
    else if (key === 'Fn::GetAtt') into.add(Array.isArray(inner) ? String(inner[0]) : String(inner).split('.')[0] ?? '');
    else if (key === 'Fn::Sub') {
      const text = Array.isArray(inner) ? String(inner[0]) : String(inner);
      for (const match of text.matchAll(/\$\{([^!}][^}]*)\}/g)) into.add((match[1] ?? '').split('.')[0] ?? '');
      if (Array.isArray(inner)) references(inner[1], into);
    } else references(inner, into);
  }
}

export function evaluateTemplate(template: Json, given: Record<string, string>, ctx: EvaluationContext): Evaluated {
  const parameters: Record<string, Json> = {};
  const parameterList: Evaluated['parameters'] = [];
  for (const [name, declaration] of Object.entries<Json>(template.Parameters ?? {})) {
    const value = given[name] ?? (declaration.Default !== undefined ? String(declaration.Default) : undefined);
    if (value === undefined) throw new AwsError('ValidationError', `Parameters: [${name}] must have values`);
    const type = String(declaration.Type);
    if (declaration.AllowedPattern && !new RegExp(`^(?:${declaration.AllowedPattern})$`).test(value)) {
      throw new AwsError('ValidationError', `Parameter '${name}' must match pattern ${declaration.AllowedPattern}`);
    }
    if (type.startsWith('AWS::SSM::Parameter::Value<')) {
      const resolved = ctx.resolveSsm(value);
      parameters[name] = resolved;
      parameterList.push({ ParameterKey: name, ParameterValue: value, ResolvedValue: resolved });
    } else {
      parameters[name] = type.startsWith('List<') || type === 'CommaDelimitedList' ? value.split(',') : value;
      parameterList.push({ ParameterKey: name, ParameterValue: value });
    }
  }
  for (const name of Object.keys(given)) {
    if (!(name in (template.Parameters ?? {}))) throw new AwsError('ValidationError', `Parameters: [${name}] do not exist in the template`);
  }
  const pseudo: Record<string, Json> = {
    'AWS::AccountId': ctx.account, 'AWS::Region': ctx.region, 'AWS::Partition': 'aws', 'AWS::StackName': ctx.stackName,
    'AWS::StackId': ctx.stackId, 'AWS::URLSuffix': 'amazonaws.com', 'AWS::NotificationARNs': [],
  };
  const conditions = new Map<string, boolean>();
  const resources = new Map<string, EvaluatedResource>();
  const declared: Record<string, Json> = template.Resources ?? {};

  const ref = (name: string): Json => {
    if (name in pseudo) return pseudo[name];
    if (name in parameters) return parameters[name];
    const resource = resources.get(name);
    if (resource) return resource.physicalId;
    if (name in declared) throw new AwsError('ValidationError', `Template error: resource ${name} is referenced before it exists`);
    throw new AwsError('ValidationError', `Template format error: Unresolved resource dependencies [${name}] in the Resources block of the template`);
  };
  const condition = (name: string): boolean => {
    if (!conditions.has(name)) {
      const definition = template.Conditions?.[name];
      if (definition === undefined) throw new AwsError('ValidationError', `Template error: unresolved condition dependency ${name}`);
      conditions.set(name, Boolean(resolve(definition)));
    }
    return conditions.get(name) as boolean;
  };
  const NO_VALUE = Symbol('NoValue');
  const resolve = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(resolve).filter((v) => v !== NO_VALUE);
    if (!value || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const key = keys[0] as string;
      const arg = value[key];
      switch (key) {
        case 'Ref': return arg === 'AWS::NoValue' ? NO_VALUE : ref(String(arg));
        case 'Fn::GetAtt': {
          const [logical, ...rest] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
          const resource = resources.get(logical ?? '');
          if (!resource) throw new AwsError('ValidationError', `Template error: instance of Fn::GetAtt references undefined resource ${logical}`);
          return attribute(resource, rest.join('.'), ctx);
        }
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(arg) ? [String(arg[0]), resolve(arg[1] ?? {})] : [String(arg), {}];
          return text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
            if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
            if (inner in vars) return String(vars[inner]);
            if (inner.includes('.') && !(inner in pseudo)) {
              const [logical, ...attr] = inner.split('.');
              const resource = resources.get(logical ?? '');
              if (!resource) throw new AwsError('ValidationError', `Template error: ${whole} references an undefined resource`);
              return String(attribute(resource, attr.join('.'), ctx));
            }
            return String(ref(inner));
          });
        }
        case 'Fn::Join': return (resolve(arg[1]) as Json[]).map(String).join(String(arg[0]));
        case 'Fn::Split': return String(resolve(arg[1])).split(String(arg[0]));
        case 'Fn::Select': {
          const list = resolve(arg[1]);
          const index = Number(resolve(arg[0]));
          if (!Array.isArray(list)) return list;
          if (index >= list.length) throw new AwsError('ValidationError', `Template error: Fn::Select cannot select nonexistent value at index ${index}`);
          return list[index];
        }
        case 'Fn::GetAZs': return ['a', 'b', 'c'].map((z) => `${ctx.region}${z}`);
        case 'Fn::Cidr': {
          const count = Number(resolve(arg[1]));
          return Array.from({ length: count }, (_, i) => `10.${200 + (i >> 8)}.${i % 256}.0/24`);
        }
        case 'Fn::ImportValue': {
          const name = String(resolve(arg));
          const found = ctx.importValue(name);
          if (found === undefined) throw new AwsError('ValidationError', `No export named ${name} found`);
          return found;
        }
        case 'Fn::If': return condition(String(arg[0])) ? resolve(arg[1]) : resolve(arg[2]);
        case 'Fn::Equals': return JSON.stringify(resolve(arg[0])) === JSON.stringify(resolve(arg[1]));
        case 'Fn::Not': return !resolve(arg[0]);
        case 'Fn::And': return (arg as Json[]).every((c) => resolve(c));
        case 'Fn::Or': return (arg as Json[]).some((c) => resolve(c));
        case 'Condition': return condition(String(arg));
        case 'Fn::FindInMap': {
          const [map, top, second] = (arg as Json[]).map(resolve);
          const found = template.Mappings?.[map]?.[top]?.[second];
          if (found === undefined) throw new AwsError('ValidationError', `Template error: Unable to get mapping for ${map}::${top}::${second}`);
          return found;
        }
        case 'Fn::Base64': return resolve(arg);
        case 'Fn::Length': return (resolve(arg) as Json[]).length;
        case 'Fn::ToJsonString': return JSON.stringify(resolve(arg));
        default: break;
      }
    }
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      const resolved = resolve(v);
      if (resolved !== NO_VALUE) out[k] = resolved;
    }
    return out;
  };

  // Resources in dependency order (CloudFormation rejects cycles; so does this).
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (logicalId: string, path: string[]) => {
    if (state.get(logicalId) === 'done') return;
    if (state.get(logicalId) === 'visiting') throw new AwsError('ValidationError', `Circular dependency between resources: [${path.join(', ')}]`);
    state.set(logicalId, 'visiting');
    const definition = declared[logicalId];
    const deps = new Set<string>();
    references(definition.Properties ?? {}, deps);
    for (const d of [definition.DependsOn ?? []].flat()) deps.add(String(d));
    for (const dep of deps) if (dep in declared) visit(dep, [...path, dep]);
    state.set(logicalId, 'done');
    order.push(logicalId);
  };
  for (const logicalId of Object.keys(declared)) visit(logicalId, [logicalId]);

  for (const logicalId of order) {
    const definition = declared[logicalId];
    if (definition.Condition && !condition(String(definition.Condition))) continue;
    const properties = resolve(definition.Properties ?? {});
    const type = String(definition.Type);
    const existing = ctx.existing.get(logicalId);
    const physicalId = existing && existing.type === type ? existing.physicalId : physicalIdFor(type, logicalId, properties, ctx);
    const deps = new Set<string>();
    references(definition.Properties ?? {}, deps);
    for (const d of [definition.DependsOn ?? []].flat()) deps.add(String(d));
    resources.set(logicalId, { logicalId, type, physicalId, properties, dependsOn: [...deps].filter((d) => d in declared), attributes: {} });
  }
  const outputs: Evaluated['outputs'] = [];
  for (const [key, output] of Object.entries<Json>(template.Outputs ?? {})) {
    if (output.Condition && !condition(String(output.Condition))) continue;
    const value = resolve(output.Value);
    outputs.push({
      OutputKey: key, OutputValue: Array.isArray(value) ? value.join(',') : String(value),
      ...(output.Export ? { ExportName: String(resolve(output.Export.Name)) } : {}),
      ...(output.Description ? { Description: String(output.Description) } : {}),
    });
  }
  return { resources: [...resources.values()], outputs, parameters: parameterList };
}
