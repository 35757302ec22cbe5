/**
 * The stand-in's Secrets Manager: the secrets CloudFormation creates (AWS::SecretsManager::Secret,
 * with GenerateSecretString and ReplicaRegions; AWS::SecretsManager::SecretTargetAttachment adding a
 * database's connection details), the calls the generated scripts make (DescribeSecret,
 * GetSecretValue, PutSecretValue, UpdateSecretVersionStage, GetRandomPassword), and CloudFormation's
 * resolution of `{{resolve:secretsmanager:...}}` dynamic references. JSON 1.1 protocol, answers with
 * the member names of botocore's model (secretsmanager/2017-10-17/service-2.json). Every call is
 * authorised against the caller's policies on the secret's ARN; a reference is resolved with the
 * rights of the identity CloudFormation acts as (the stack's execution role).
 *
 * Replication: a replica has its primary's name, versions and staging labels, and an ARN that
 * differs only in the region; a new version or label reaches the replicas within the call (on AWS,
 * within seconds; DescribeSecret's ReplicationStatus then says InSync). A replica is read-only.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_UpdateSecretVersionStage.html
 */
import crypto from 'node:crypto';
import type { Authorizer, Caller } from './iam';
import { AwsError } from './protocol';
import { rdsDefaultPort, rdsEndpoint, type Json } from './template';
import type { ResourceEvent, World } from './world';

export interface SecretVersion {
  id: string;
  value: string;
  stages: string[];
  created: number;
}

export interface Secret {
  name: string;
  arn: string;
  account: string;
  region: string;
  /** The region of the primary secret (its own region for a primary). */
  primaryRegion: string;
  /** For a primary: the regions it is replicated to, and whether the replica could be created there. */
  replicas: { region: string; status: 'InSync' | 'Failed'; message?: string }[];
  kmsKeyId?: string;
  description?: string;
  versions: SecretVersion[];
  created: number;
}

interface Request {
  caller: Caller;
  account: string;
  region: string;
}

const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** The generation options of GetRandomPassword and of GenerateSecretString (same names, same defaults). */
interface PasswordOptions {
  PasswordLength?: number;
  ExcludeCharacters?: string;
  ExcludeNumbers?: boolean;
  ExcludePunctuation?: boolean;
  ExcludeUppercase?: boolean;
  ExcludeLowercase?: boolean;
  IncludeSpace?: boolean;
  RequireEachIncludedType?: boolean;
}

function flag(value: unknown): boolean {
  return value === true || value === 'true';
}

/**
 * A password as Secrets Manager generates one: 32 characters by default, from upper and lower case
 * letters, digits and punctuation less what is excluded, with one of each included type unless
 * RequireEachIncludedType is false. Deterministic for a seed, so two rehearsals print the same.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetRandomPassword.html
 */
export function randomPassword(options: PasswordOptions, seed: string): string {
  const length = Number(options.PasswordLength ?? 32);
  if (!Number.isInteger(length) || length < 1 || length > 4096) throw new AwsError('InvalidParameterException', 'PasswordLength must be between 1 and 4096.');
  const excluded = new Set(String(options.ExcludeCharacters ?? ''));
  const types = [
    flag(options.ExcludeLowercase) ? '' : 'abcdefghijklmnopqrstuvwxyz',
    flag(options.ExcludeUppercase) ? '' : 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    flag(options.ExcludeNumbers) ? '' : '0123456789',
    flag(options.ExcludePunctuation) ? '' : PUNCTUATION,
    flag(options.IncludeSpace) ? ' ' : '',
  ].map((chars) => [...chars].filter((c) => !excluded.has(c)).join('')).filter(Boolean);
  const alphabet = types.join('');
  if (!alphabet) throw new AwsError('InvalidParameterException', 'The password options exclude every character.');
  const requireEach = options.RequireEachIncludedType === undefined || flag(options.RequireEachIncludedType);
  for (let attempt = 0; ; attempt++) {
    let bytes = Buffer.alloc(0);
    for (let block = 0; bytes.length < length; block++) bytes = Buffer.concat([bytes, crypto.createHash('sha256').update(`${seed}/${attempt}/${block}`).digest()]);
    const password = [...bytes.subarray(0, length)].map((b) => alphabet[b % alphabet.length]).join('');
    if (!requireEach || length < types.length || types.every((chars) => [...password].some((c) => chars.includes(c)))) return password;
  }
}

/** A version id in the form Secrets Manager gives (a UUID), deterministic for a seed. */
function versionId(seed: string): string {
  const hex = crypto.createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A dynamic reference's parts: `{{resolve:secretsmanager:secret-id:SecretString:json-key:version-stage:version-id}}`,
 * where secret-id is a name or a full ARN (which has colons of its own) and the rest are optional.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html
 */
export function parseSecretReference(inner: string): { secretId: string; jsonKey?: string; stage?: string; versionId?: string } {
  const parts = inner.split(':');
  const idParts = parts[0] === 'arn' ? 7 : 1;
  const secretId = parts.slice(0, idParts).join(':');
  const [field = 'SecretString', jsonKey = '', stage = '', version = ''] = parts.slice(idParts);
  if (field !== 'SecretString') throw new AwsError('ValidationError', `Template format error: the dynamic reference {{resolve:secretsmanager:${inner}}} must name SecretString`);
  if (stage && version) throw new AwsError('ValidationError', `Template format error: the dynamic reference to ${secretId} names both a version stage and a version id`);
  return { secretId, ...(jsonKey ? { jsonKey } : {}), ...(stage ? { stage } : {}), ...(version ? { versionId: version } : {}) };
}

const REFERENCE = /\{\{resolve:secretsmanager:([^}]+)\}\}/g;

export class SecretsManager {
  /** By `account/region/name`: primaries and replicas alike. */
  readonly secrets = new Map<string, Secret>();

  constructor(private readonly world: World, private readonly authorizer: Authorizer, private readonly rds?: { instance(account: string, region: string, identifier: string): { engine: string; port: number; masterUsername?: string } | undefined }) {
    world.resourceHooks.push((event, check) => this.onResource(event, check));
    world.referenceResolvers.push((actor, account, region, properties) => this.resolveReferences(actor, account, region, properties));
  }

  /** A secret by name or ARN (a full ARN, or one without its random suffix, as AWS accepts), in a region. */
  find(account: string, region: string, id: string): Secret | undefined {
    if (id.startsWith('arn:')) {
      const match = id.match(/^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)$/);
      if (!match || match[1] !== region || match[2] !== account) return undefined;
      return [...this.secrets.values()].find((s) => s.account === account && s.region === region && (s.arn === id || `${s.name}` === match[3]));
    }
    return this.secrets.get(`${account}/${region}/${id}`);
  }

  current(secret: Secret): SecretVersion | undefined {
    return secret.versions.find((v) => v.stages.includes('AWSCURRENT'));
  }

  private mustFind(request: Request, id: string): Secret {
    const secret = this.find(request.account, request.region, id);
    if (!secret) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  }

  private async authorize(request: Request, action: string, resource: string): Promise<void> {
    const denial = await this.authorizer.check(request.caller, `secretsmanager:${action}`, resource, { 'aws:RequestedRegion': request.region });
    if (denial) throw new AwsError('AccessDeniedException', denial.message);
  }

  /** A primary secret, for a call that changes it: a replica answers that only its primary may change. */
  private primary(secret: Secret): Secret {
    if (secret.primaryRegion !== secret.region) {
      throw new AwsError('InvalidRequestException', "Operation not permitted on a replica secret. Call must be made in primary secret's region.");
    }
    return secret;
  }

  /** Copies a primary's versions and labels to its replicas (replication, done within the call). */
  private replicate(primary: Secret): void {
    for (const replica of primary.replicas) {
      if (replica.status !== 'InSync') continue;
      const copy = this.secrets.get(`${primary.account}/${replica.region}/${primary.name}`);
      if (copy) copy.versions = primary.versions.map((v) => ({ ...v, stages: [...v.stages] }));
    }
  }

  /** Moves a staging label to a version; moving AWSCURRENT moves AWSPREVIOUS to the version it left. */
  private moveStage(secret: Secret, stage: string, to: SecretVersion): void {
    const from = secret.versions.find((v) => v.stages.includes(stage));
    if (from === to) return;
    if (from) from.stages = from.stages.filter((s) => s !== stage);
    to.stages.push(stage);
    if (stage === 'AWSCURRENT' && from) {
      for (const v of secret.versions) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
      from.stages.push('AWSPREVIOUS');
    }
  }

  private addVersion(secret: Secret, value: string, id: string, stages: string[]): SecretVersion {
    const version: SecretVersion = { id, value, stages: [], created: Date.parse(this.world.now()) / 1000 };
    secret.versions.push(version);
    for (const stage of stages) this.moveStage(secret, stage, version);
    return version;
  }

  async handle(action: string, body: Record<string, unknown>, request: Request): Promise<Record<string, unknown>> {
    const id = String(body.SecretId ?? '');
    switch (action) {
      case 'GetRandomPassword': {
        await this.authorize(request, action, '*');
        return { RandomPassword: randomPassword(body as PasswordOptions, this.world.next('password-')) };
      }
      case 'DescribeSecret': {
        const secret = this.mustFind(request, id);
        await this.authorize(request, action, secret.arn);
        const primary = secret.primaryRegion === secret.region;
        return {
          ARN: secret.arn, Name: secret.name, ...(secret.description ? { Description: secret.description } : {}), ...(secret.kmsKeyId ? { KmsKeyId: secret.kmsKeyId } : {}),
          CreatedDate: secret.created, LastChangedDate: Math.max(secret.created, ...secret.versions.map((v) => v.created)),
          // Only versions with a staging label: one without is deprecated (API reference, DescribeSecret).
          VersionIdsToStages: Object.fromEntries(secret.versions.filter((v) => v.stages.length > 0).map((v) => [v.id, v.stages])),
          PrimaryRegion: secret.primaryRegion,
          ...(primary && secret.replicas.length > 0 ? { ReplicationStatus: secret.replicas.map((r) => ({ Region: r.region, Status: r.status, ...(r.message ? { StatusMessage: r.message } : {}) })) } : {}),
        };
      }
      case 'GetSecretValue': {
        const secret = this.mustFind(request, id);
        await this.authorize(request, action, secret.arn);
        const version = this.version(secret, body.VersionId as string | undefined, body.VersionStage as string | undefined);
        return { ARN: secret.arn, Name: secret.name, VersionId: version.id, SecretString: version.value, VersionStages: version.stages, CreatedDate: version.created };
      }
      case 'PutSecretValue': {
        const secret = this.mustFind(request, id);
        await this.authorize(request, action, secret.arn);
        this.primary(secret);
        if (typeof body.SecretString !== 'string') throw new AwsError('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
        // ClientRequestToken is the new version's id (the CLI generates one); the same token with the same value is a repeat.
        const token = String(body.ClientRequestToken ?? versionId(this.world.next('put-')));
        const existing = secret.versions.find((v) => v.id === token);
        if (existing && existing.value !== body.SecretString) throw new AwsError('ResourceExistsException', `You can't modify an existing version, you can only create a new version.`);
        const stages = Array.isArray(body.VersionStages) ? body.VersionStages.map(String) : ['AWSCURRENT'];
        const version = existing ?? this.addVersion(secret, body.SecretString, token, stages);
        this.replicate(secret);
        return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: version.stages };
      }
      case 'UpdateSecretVersionStage': {
        const secret = this.mustFind(request, id);
        await this.authorize(request, action, secret.arn);
        this.primary(secret);
        const stage = String(body.VersionStage ?? '');
        const remove = body.RemoveFromVersionId as string | undefined;
        const move = body.MoveToVersionId as string | undefined;
        const holder = secret.versions.find((v) => v.stages.includes(stage));
        if (remove !== undefined && holder?.id !== remove) {
          throw new AwsError('InvalidParameterException', `The staging label ${stage} is not attached to version ${remove}.`);
        }
        if (move !== undefined) {
          const to = secret.versions.find((v) => v.id === move);
          if (!to) throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${move}`);
          if (holder && holder !== to && remove === undefined) {
            throw new AwsError('InvalidParameterException', `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`);
          }
          this.moveStage(secret, stage, to);
        } else if (holder) {
          if (stage === 'AWSCURRENT') throw new AwsError('InvalidParameterException', 'You can only move staging label AWSCURRENT to a different secret version. It can’t be completely removed.');
          holder.stages = holder.stages.filter((s) => s !== stage);
        }
        this.replicate(secret);
        return { ARN: secret.arn, Name: secret.name };
      }
      default:
        throw new AwsError('InvalidAction', `the stand-in Secrets Manager does not implement ${action}`);
    }
  }

  private version(secret: Secret, id: string | undefined, stage: string | undefined): SecretVersion {
    const version = id ? secret.versions.find((v) => v.id === id && (!stage || v.stages.includes(stage))) : secret.versions.find((v) => v.stages.includes(stage ?? 'AWSCURRENT'));
    if (!version) {
      throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${id ? `VersionId: ${id}` : `staging label: ${stage ?? 'AWSCURRENT'}`}`);
    }
    return version;
  }

  /**
   * CloudFormation's resolution of the secretsmanager dynamic references in a resource's properties:
   * in the stack's region, by name or ARN, the version the reference names (AWSCURRENT by default),
   * a JSON key of it where one is named, each read with secretsmanager:GetSecretValue as the identity
   * CloudFormation acts as. Returns the resolved properties, or the handler's failure message.
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html
   *   ("the IAM role ... must have secretsmanager:GetSecretValue")
   */
  async resolveReferences(actor: Caller, account: string, region: string, properties: Json): Promise<{ resolved: Json } | { error: string }> {
    const text = JSON.stringify(properties ?? {});
    const found = [...text.matchAll(REFERENCE)].map((m) => m[1] as string);
    if (found.length === 0) return { resolved: properties };
    const values = new Map<string, string>();
    for (const inner of new Set(found)) {
      let reference;
      try {
        reference = parseSecretReference(inner);
      } catch (error) {
        return { error: (error as Error).message };
      }
      const secret = this.find(account, region, reference.secretId);
      if (!secret) return { error: `Secrets Manager can't find the specified secret. (Service: AWSSecretsManager; Status Code: 400; Error Code: ResourceNotFoundException) [${reference.secretId} in ${region}]` };
      const denial = await this.authorizer.check(actor, 'secretsmanager:GetSecretValue', secret.arn, { 'aws:RequestedRegion': region });
      if (denial) return { error: `${denial.message} (Service: AWSSecretsManager; Status Code: 400; Error Code: AccessDeniedException)` };
      let version;
      try {
        version = this.version(secret, reference.versionId, reference.stage);
      } catch (error) {
        return { error: `${(error as Error).message} (Service: AWSSecretsManager; Status Code: 400; Error Code: ResourceNotFoundException)` };
      }
      let value = version.value;
      if (reference.jsonKey) {
        let parsed: unknown;
        try { parsed = JSON.parse(value); } catch { parsed = undefined; }
        const picked = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>)[reference.jsonKey] : undefined;
        if (picked === undefined) return { error: `Could not parse SecretString JSON or find the key ${reference.jsonKey} in the secret ${secret.name}` };
        value = String(picked);
      }
      values.set(inner, value);
    }
    const resolve = (node: Json): Json => {
      if (typeof node === 'string') return node.replace(REFERENCE, (_whole, inner: string) => values.get(inner) ?? '');
      if (Array.isArray(node)) return node.map(resolve);
      if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v)]));
      return node;
    };
    return { resolved: resolve(properties) };
  }

  /** CloudFormation's side: secrets and their replicas, and the connection details a target attachment adds. */
  private onResource(event: ResourceEvent, check: boolean): string | undefined {
    const { account, region, resource } = event;
    const props: Json = resource.properties ?? {};
    if (resource.type === 'AWS::SecretsManager::Secret') {
      const arn = resource.physicalId;
      const name = arn.replace(/^arn:[^:]+:secretsmanager:[^:]+:\d{12}:secret:/, '').replace(/-[A-Za-z0-9]{6}$/, '');
      const existing = this.secrets.get(`${account}/${region}/${name}`);
      if (event.op === 'delete') {
        if (check) return undefined;
        if (existing?.arn === arn) {
          for (const replica of existing.replicas) this.secrets.delete(`${account}/${replica.region}/${name}`);
          this.secrets.delete(`${account}/${region}/${name}`);
        }
        return undefined;
      }
      if (event.op === 'create' && existing && existing.arn !== arn) return `Resource handler returned message: "The operation failed because the secret ${name} already exists. (Service: SecretsManager, Status Code: 400)" (HandlerErrorCode: AlreadyExists)`;
      if (check) return undefined;
      const secret: Secret = existing ?? {
        name, arn, account, region, primaryRegion: region, replicas: [], versions: [], created: Date.parse(this.world.now()) / 1000,
      };
      secret.description = props.Description !== undefined ? String(props.Description) : undefined;
      secret.kmsKeyId = props.KmsKeyId !== undefined ? String(props.KmsKeyId) : undefined;
      if (!existing) {
        const generate = props.GenerateSecretString as (PasswordOptions & { SecretStringTemplate?: string; GenerateStringKey?: string }) | undefined;
        let value = typeof props.SecretString === 'string' ? props.SecretString : '';
        if (generate) {
          const password = randomPassword(generate, this.world.next('generated-'));
          value = generate.SecretStringTemplate && generate.GenerateStringKey
            ? JSON.stringify({ ...(JSON.parse(generate.SecretStringTemplate) as object), [generate.GenerateStringKey]: password })
            : password;
        }
        this.addVersion(secret, value, versionId(this.world.next('secret-')), ['AWSCURRENT']);
        this.secrets.set(`${account}/${region}/${name}`, secret);
      } else if (typeof props.SecretString === 'string' && props.SecretString !== this.current(secret)?.value) {
        this.addVersion(secret, props.SecretString, versionId(this.world.next('secret-')), ['AWSCURRENT']);
      }
      this.syncReplicas(secret, ((props.ReplicaRegions ?? []) as Json[]).map((r) => String(r.Region)));
      return undefined;
    }
    if (resource.type === 'AWS::SecretsManager::SecretTargetAttachment' && event.op !== 'delete') {
      // Adds the target's connection details to the secret's JSON as a new current version.
      // @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-secretsmanager-secrettargetattachment.html
      const secret = this.find(account, region, String(props.SecretId ?? ''));
      if (!secret) return `Resource handler returned message: "Secrets Manager can't find the specified secret. (Service: SecretsManager, Status Code: 400)" (HandlerErrorCode: NotFound)`;
      if (check) return undefined;
      const identifier = String(props.TargetId ?? '');
      const instance = this.rds?.instance(account, region, identifier);
      const current = this.current(secret);
      let parsed: Record<string, unknown> = {};
      try { parsed = JSON.parse(current?.value ?? '{}') as Record<string, unknown>; } catch { parsed = {}; }
      const engine = instance?.engine ?? 'postgres';
      const value = JSON.stringify({ ...parsed, engine, host: rdsEndpoint(identifier, account, region), port: instance?.port ?? rdsDefaultPort(engine), dbInstanceIdentifier: identifier });
      if (value !== current?.value) this.addVersion(secret, value, versionId(this.world.next('attachment-')), ['AWSCURRENT']);
      this.replicate(secret);
    }
    return undefined;
  }

  /** Creates the replicas a primary lacks and removes those no longer listed (ReplicaRegions). */
  private syncReplicas(secret: Secret, regions: string[]): void {
    for (const gone of secret.replicas.filter((r) => !regions.includes(r.region))) {
      if (gone.status === 'InSync') this.secrets.delete(`${secret.account}/${gone.region}/${secret.name}`);
    }
    secret.replicas = secret.replicas.filter((r) => regions.includes(r.region));
    for (const region of regions) {
      if (secret.replicas.some((r) => r.region === region)) continue;
      if (this.secrets.has(`${secret.account}/${region}/${secret.name}`)) {
        // AWS does not overwrite a secret of the same name in the replica region (ForceOverwriteReplicaSecret is false).
        secret.replicas.push({ region, status: 'Failed', message: `Replication failed: Secret name already exists in Region ${region}.` });
        continue;
      }
      secret.replicas.push({ region, status: 'InSync' });
      this.secrets.set(`${secret.account}/${region}/${secret.name}`, {
        ...secret, arn: secret.arn.replace(`:secretsmanager:${secret.region}:`, `:secretsmanager:${region}:`), region, replicas: [], versions: [],
      });
    }
    this.replicate(secret);
  }
}
