/**
 * The stand-in's other services, as far as the generated scripts call them: STS, SSM parameters (versions,
 * labels, the asynchronous aws:ec2:image validation), EC2 images and managed prefix lists, Route 53 hosted
 * zones, S3 objects and Auto Scaling reads. Each call is authorised against the caller's policies.
 */
import type { Authorizer, Caller } from './iam';
import { trustAllows } from './iam';
import { AwsError, accessDenied, type QueryParams, type XmlValue } from './protocol';
import type { Instance, World } from './world';

export interface Request {
  caller: Caller;
  account: string;
  region: string;
}

async function authorize(authorizer: Authorizer, request: Request, action: string, resource: string, context: Record<string, string> = {}): Promise<void> {
  const denial = await authorizer.check(request.caller, action, resource, { 'aws:RequestedRegion': request.region, ...context });
  if (denial) throw accessDenied(denial.message);
}

/** The GitHub OIDC token the stand-in for configure-aws-credentials presents: a JSON claims object, base64url. */
export function decodeToken(token: string): Record<string, string> {
  const [, payload] = token.split('.');
  return JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, string>;
}

export async function sts(world: World, action: string, params: QueryParams, caller: Caller | undefined, region: string): Promise<Record<string, XmlValue>> {
  switch (action) {
    case 'AssumeRoleWithWebIdentity': {
      const roleArn = params.get('RoleArn') ?? '';
      const match = roleArn.match(/^arn:aws:iam::(\d{12}):role\/(.+)$/);
      const account = match?.[1] ?? '';
      const role = world.accounts.get(account)?.roles.get(match?.[2] ?? '');
      const claims = decodeToken(params.get('WebIdentityToken') ?? '');
      const provider = claims.iss?.replace(/^https:\/\//, '') ?? '';
      const providerArn = `arn:aws:iam::${account}:oidc-provider/${provider}`;
      const context = { [`${provider}:aud`]: claims.aud ?? '', [`${provider}:sub`]: claims.sub ?? '' };
      if (!role || !world.accounts.get(account)?.oidcProviders.has(provider) || !trustAllows(role.trust, 'sts:AssumeRoleWithWebIdentity', { Federated: providerArn }, context)) {
        const message = `Not authorized to perform sts:AssumeRoleWithWebIdentity (role ${roleArn}, token sub ${claims.sub}, aud ${claims.aud})`;
        world.authorizer.denials.push({ caller: `token sub ${claims.sub}`, action: 'sts:AssumeRoleWithWebIdentity', resource: roleArn, message });
        throw new AwsError('AccessDenied', message, 403);
      }
      const duration = Number(params.get('DurationSeconds') ?? 3600);
      if (duration > role.maxSessionDuration) {
        throw new AwsError('ValidationError', `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`);
      }
      const key = `ASIA${world.next().toUpperCase()}${account}`;
      const session = params.get('RoleSessionName') ?? 'session';
      world.sessions.set(key, { account, arn: `arn:aws:sts::${account}:assumed-role/${role.name}/${session}`, role, expires: duration });
      return {
        Credentials: { AccessKeyId: key, SecretAccessKey: 'stand-in-secret', SessionToken: `token-${key}`, Expiration: new Date(Date.parse('2026-01-05T09:00:00Z') + duration * 1000).toISOString() },
        AssumedRoleUser: { Arn: `arn:aws:sts::${account}:assumed-role/${role.name}/${session}`, AssumedRoleId: `AROA${key}:${session}` },
        SubjectFromWebIdentityToken: claims.sub, Audience: claims.aud, Provider: providerArn,
      };
    }
    case 'GetCallerIdentity':
      if (!caller) throw new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
      return { Account: caller.account, Arn: caller.arn, UserId: caller.arn };
    default:
      void region;
      throw new AwsError('InvalidAction', `the stand-in STS does not implement ${action}`);
  }
}

export async function ssm(world: World, action: string, body: Record<string, unknown>, request: Request): Promise<Record<string, unknown>> {
  const state = world.region(request.account, request.region);
  const arn = (name: string) => `arn:aws:ssm:${request.region}:${request.account}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
  const describe = (name: string) => {
    const parameter = state.parameters.get(name);
    const latest = parameter?.versions[parameter.versions.length - 1];
    if (!parameter || !latest) return undefined;
    return { Name: name, Type: parameter.type, DataType: parameter.dataType, Value: latest.value, Version: latest.version, ARN: arn(name), LastModifiedDate: 1767603600 };
  };
  switch (action) {
    case 'GetParameter': {
      const name = String(body.Name);
      await authorize(world.authorizer, request, 'ssm:GetParameter', arn(name));
      const found = describe(name);
      if (!found) throw new AwsError('ParameterNotFound', '');
      return { Parameter: found };
    }
    case 'GetParameters': {
      const names = (body.Names as string[]) ?? [];
      for (const name of names) await authorize(world.authorizer, request, 'ssm:GetParameters', arn(name));
      return { Parameters: names.map(describe).filter(Boolean), InvalidParameters: names.filter((n) => !describe(n)) };
    }
    case 'GetParameterHistory': {
      const name = String(body.Name);
      await authorize(world.authorizer, request, 'ssm:GetParameterHistory', arn(name));
      const parameter = state.parameters.get(name);
      if (!parameter) throw new AwsError('ParameterNotFound', '');
      // AWS returns at most 50 versions a page (MaxResults defaults to 50).
      const start = Number(body.NextToken ?? 0);
      const max = Math.min(Number(body.MaxResults ?? 50), 50);
      const page = parameter.versions.slice(start, start + max);
      return {
        Parameters: page.map((v) => ({ Name: name, Type: parameter.type, DataType: parameter.dataType, Value: v.value, Version: v.version, Labels: v.labels, LastModifiedDate: 1767603600 })),
        ...(start + max < parameter.versions.length ? { NextToken: String(start + max) } : {}),
      };
    }
    case 'PutParameter': {
      const name = String(body.Name);
      await authorize(world.authorizer, request, 'ssm:PutParameter', arn(name));
      let parameter = state.parameters.get(name);
      if (parameter && !body.Overwrite) throw new AwsError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
      const version = (parameter?.versions[parameter.versions.length - 1]?.version ?? 0) + 1;
      const dataType = String(body.DataType ?? 'text');
      // aws:ec2:image values are validated asynchronously: the call succeeds, and a value that names no
      // available image never becomes the parameter's value.
      const valid = dataType !== 'aws:ec2:image' || state.images.get(String(body.Value))?.state === 'available';
      if (valid) {
        if (!parameter) {
          parameter = { name, type: String(body.Type ?? 'String'), dataType, versions: [] };
          state.parameters.set(name, parameter);
        }
        parameter.versions.push({ version, value: String(body.Value), labels: [], modified: world.now() });
      }
      return { Version: version, Tier: 'Standard' };
    }
    case 'LabelParameterVersion': {
      const name = String(body.Name);
      await authorize(world.authorizer, request, 'ssm:LabelParameterVersion', arn(name));
      const parameter = state.parameters.get(name);
      if (!parameter) throw new AwsError('ParameterNotFound', '');
      const version = body.ParameterVersion !== undefined ? Number(body.ParameterVersion) : parameter.versions[parameter.versions.length - 1]?.version;
      const target = parameter.versions.find((v) => v.version === version);
      if (!target) throw new AwsError('ParameterVersionNotFound', `version ${version} of ${name} does not exist`);
      const labels = (body.Labels as string[]) ?? [];
      // A label moves: it names at most one version of a parameter.
      for (const v of parameter.versions) v.labels = v.labels.filter((l) => !labels.includes(l));
      target.labels.push(...labels);
      return { InvalidLabels: [], ParameterVersion: target.version };
    }
    case 'UnlabelParameterVersion': {
      const name = String(body.Name);
      await authorize(world.authorizer, request, 'ssm:UnlabelParameterVersion', arn(name));
      const parameter = state.parameters.get(name);
      if (!parameter) throw new AwsError('ParameterNotFound', '');
      const target = parameter.versions.find((v) => v.version === Number(body.ParameterVersion));
      if (!target) throw new AwsError('ParameterVersionNotFound', `version ${String(body.ParameterVersion)} of ${name} does not exist`);
      const labels = (body.Labels as string[]) ?? [];
      const removed = labels.filter((l) => target.labels.includes(l));
      target.labels = target.labels.filter((l) => !labels.includes(l));
      return { RemovedLabels: removed, InvalidLabels: labels.filter((l) => !removed.includes(l)) };
    }
    default:
      throw new AwsError('InvalidAction', `the stand-in SSM does not implement ${action}`);
  }
}

/** The prefix list AWS manages in every region for CloudFront's origin-facing addresses. */
export function cloudFrontPrefixList(region: string): string {
  const known: Record<string, string> = { 'us-east-1': 'pl-3b927c52', 'eu-west-1': 'pl-4fa04526', 'af-south-1': 'pl-c0aa4fa9' };
  return known[region] ?? `pl-${Buffer.from(region).toString('hex').slice(0, 8)}`;
}

export async function ec2(world: World, action: string, params: QueryParams, request: Request): Promise<Record<string, XmlValue>> {
  const state = world.region(request.account, request.region);
  const image = (id: string) => {
    const found = state.images.get(id);
    return { imageId: id, name: found?.name, imageState: found?.state, ownerId: request.account, ...(found?.reason ? { stateReason: { code: 'Client.UserInitiatedShutdown', message: found.reason } } : {}) };
  };
  switch (action) {
    case 'DescribeManagedPrefixLists': {
      await authorize(world.authorizer, request, 'ec2:DescribeManagedPrefixLists', '*');
      const name = 'com.amazonaws.global.cloudfront.origin-facing';
      const filters = params.records('Filter');
      const wanted = filters.every((f) => f.Name !== 'prefix-list-name' || Object.entries(f).some(([k, v]) => k.startsWith('Value') && v === name));
      return { prefixListSet: wanted ? [{ prefixListId: cloudFrontPrefixList(request.region), prefixListName: name, addressFamily: 'IPv4', state: 'create-complete', ownerId: 'AWS' }] : [] };
    }
    case 'DescribeImages': {
      await authorize(world.authorizer, request, 'ec2:DescribeImages', '*');
      const ids = params.list('ImageId');
      const missing = ids.find((id) => !state.images.has(id));
      if (missing) throw new AwsError('InvalidAMIID.NotFound', `The image id '[${missing}]' does not exist`);
      return { imagesSet: (ids.length ? ids : [...state.images.keys()]).map(image) };
    }
    case 'CreateImage': {
      // IAM evaluates CreateImage on the instance and on the image and snapshots it makes, and
      // tags given at creation need ec2:CreateTags with ec2:CreateAction=CreateImage.
      const id = params.get('InstanceId') ?? '';
      for (const resource of [`arn:aws:ec2:${request.region}:${request.account}:instance/${id}`, `arn:aws:ec2:${request.region}::image/*`, `arn:aws:ec2:${request.region}::snapshot/*`]) {
        await authorize(world.authorizer, request, 'ec2:CreateImage', resource);
      }
      if (params.records('TagSpecification').length > 0) {
        await authorize(world.authorizer, request, 'ec2:CreateTags', `arn:aws:ec2:${request.region}::image/*`, { 'ec2:CreateAction': 'CreateImage' });
      }
      const instance = state.instances.get(id);
      if (!instance) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
      const imageId = `ami-${world.next()}0cafe0000`;
      state.images.set(imageId, { id: imageId, name: params.get('Name') ?? imageId, ...(instance.imagesFail ? { state: 'failed', reason: instance.imagesFail } : { state: 'available' }) });
      return { imageId };
    }
    case 'CopyImage': {
      await authorize(world.authorizer, request, 'ec2:CopyImage', `arn:aws:ec2:${request.region}::image/*`);
      const source = world.region(request.account, params.get('SourceRegion') ?? '').images.get(params.get('SourceImageId') ?? '');
      if (!source) throw new AwsError('InvalidAMIID.NotFound', `The image id '[${params.get('SourceImageId')}]' does not exist`);
      const id = `ami-${world.next()}0c0b1e0000`;
      state.images.set(id, { id, name: params.get('Name') ?? id, state: source.state, source: source.source ?? source.id });
      // A copy boots what its source boots: a copy of an image whose instances fail is as bad.
      if (world.unhealthyImages.has(source.id)) world.unhealthyImages.add(id);
      return { imageId: id };
    }
    case 'DescribeInstances': {
      await authorize(world.authorizer, request, 'ec2:DescribeInstances', '*');
      const ids = params.list('InstanceId');
      const missing = ids.find((id) => !state.instances.has(id));
      if (missing) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${missing}' does not exist`);
      const instances = (ids.length ? ids : [...state.instances.keys()]).map((id) => state.instances.get(id) as Instance);
      return { reservationSet: instances.map((i) => ({ reservationId: `r-${i.id.slice(2)}`, ownerId: request.account, instancesSet: [{ instanceId: i.id, instanceState: { code: i.state === 'running' ? 16 : 80, name: i.state }, tagSet: i.tags.map((t) => ({ key: t.Key, value: t.Value })) }] })) };
    }
    case 'CreateTags':
      await authorize(world.authorizer, request, 'ec2:CreateTags', '*');
      return { return: true };
    default:
      throw new AwsError('InvalidAction', `the stand-in EC2 does not implement ${action}`);
  }
}

export async function autoscaling(world: World, action: string, request: Request): Promise<Record<string, XmlValue>> {
  switch (action) {
    case 'DescribeAutoScalingGroups':
      await authorize(world.authorizer, request, 'autoscaling:DescribeAutoScalingGroups', '*');
      return { AutoScalingGroups: [] };
    case 'DescribeScalingActivities':
      await authorize(world.authorizer, request, 'autoscaling:DescribeScalingActivities', '*');
      return { Activities: [] };
    default:
      throw new AwsError('InvalidAction', `the stand-in Auto Scaling does not implement ${action}`);
  }
}

export async function listHostedZonesByName(world: World, request: Request, dnsName: string | null): Promise<string> {
  await authorize(world.authorizer, request, 'route53:ListHostedZonesByName', '*');
  const zones = world.account(request.account).hostedZones
    .filter((z) => !dnsName || z.name >= (dnsName.endsWith('.') ? dnsName : `${dnsName}.`))
    .sort((a, b) => a.name.localeCompare(b.name));
  const body = zones.map((z) => `<HostedZone><Id>/hostedzone/${z.id}</Id><Name>${z.name}</Name><CallerReference>stand-in</CallerReference>` +
    `<Config><PrivateZone>${z.private}</PrivateZone></Config><ResourceRecordSetCount>2</ResourceRecordSetCount></HostedZone>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><ListHostedZonesByNameResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">` +
    `<HostedZones>${body}</HostedZones>${dnsName ? `<DNSName>${dnsName}</DNSName>` : ''}<IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesByNameResponse>`;
}

/** S3 over path-style REST: PUT, GET and HEAD of objects, ListObjectsV2. */
export async function s3(world: World, method: string, pathname: string, search: URLSearchParams, body: Buffer, request: Request): Promise<{ status: number; body: string | Buffer; headers?: Record<string, string> }> {
  const [bucketName = '', ...rest] = decodeURIComponent(pathname).slice(1).split('/');
  const key = rest.join('/');
  const bucket = world.buckets.get(bucketName);
  const objectArn = `arn:aws:s3:::${bucketName}/${key}`;
  if (method === 'PUT' && key) {
    await authorize(world.authorizer, request, 's3:PutObject', objectArn);
    if (!bucket) throw new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404);
    bucket.objects.set(key, body);
    return { status: 200, body: '', headers: { ETag: '"stand-in"' } };
  }
  if ((method === 'GET' || method === 'HEAD') && key) {
    await authorize(world.authorizer, request, 's3:GetObject', objectArn);
    const object = bucket?.objects.get(key);
    if (!object) throw new AwsError('NoSuchKey', 'The specified key does not exist.', 404);
    return { status: 200, body: method === 'HEAD' ? '' : object, headers: { 'Content-Length': String(object.length), ETag: '"stand-in"' } };
  }
  if (method === 'GET' && !key) {
    await authorize(world.authorizer, request, 's3:ListBucket', `arn:aws:s3:::${bucketName}`);
    if (!bucket) throw new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404);
    const prefix = search.get('prefix') ?? '';
    const keys = [...bucket.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    return {
      status: 200,
      body: `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucketName}</Name><Prefix>${prefix}</Prefix>` +
        `<KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>` +
        keys.map((k) => `<Contents><Key>${k}</Key><Size>${bucket.objects.get(k)?.length}</Size><LastModified>2026-01-05T09:00:00.000Z</LastModified><ETag>"stand-in"</ETag><StorageClass>STANDARD</StorageClass></Contents>`).join('') +
        '</ListBucketResult>',
    };
  }
  throw new AwsError('NotImplemented', `the stand-in S3 does not implement ${method} ${pathname}`, 501);
}
