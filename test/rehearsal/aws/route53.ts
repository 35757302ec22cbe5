/**
 * The stand-in's Route 53 records and health checks: the record sets and health checks CloudFormation
 * creates in the account's hosted zones (the api stacks' `api-origin.<domain>` failover records, the
 * edge's aliases), the REST-XML calls gantry-failover.sh makes (ListResourceRecordSets,
 * ChangeResourceRecordSets, GetChange, so `aws route53 wait resource-record-sets-changed`), and what
 * Route 53 would answer for a name: a failover pair answers with the primary while it is healthy, else
 * with the secondary. Health follows the regions a scenario declared lost: a CLOUDWATCH_METRIC health
 * check whose alarm lives in a lost region is unhealthy (gantry's set InsufficientDataHealthStatus:
 * Unhealthy), and so is an alias target with EvaluateTargetHealth in one. Every call is authorised
 * against the caller's policies, ChangeResourceRecordSets with Route 53's condition keys.
 */
import { XMLParser } from 'fast-xml-parser';
import type { Authorizer, Caller } from './iam';
import { AwsError, Members, accessDenied, toXml, type XmlValue } from './protocol';
import type { Json } from './template';
import type { ResourceEvent, World } from './world';

export interface RecordSet {
  Name: string;
  Type: string;
  SetIdentifier?: string;
  Failover?: 'PRIMARY' | 'SECONDARY';
  Weight?: string;
  Region?: string;
  TTL?: string;
  ResourceRecords?: string[];
  AliasTarget?: { HostedZoneId: string; DNSName: string; EvaluateTargetHealth: boolean };
  HealthCheckId?: string;
}

export interface HealthCheck {
  id: string;
  account: string;
  config: Json;
}

const NAMESPACE = 'https://route53.amazonaws.com/doc/2013-04-01/';

/** A DNS name as Route 53 stores it: lower case, with the trailing dot. */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

function key(r: RecordSet): string {
  return `${r.Name}|${r.Type}|${r.SetIdentifier ?? ''}`;
}

/** Route 53's listing order: names compared label by label from the right, then type, then set identifier. */
function order(a: RecordSet, b: RecordSet): number {
  const labels = (n: string) => n.split('.').filter(Boolean).reverse().join('.');
  return labels(a.Name).localeCompare(labels(b.Name)) || a.Type.localeCompare(b.Type) || (a.SetIdentifier ?? '').localeCompare(b.SetIdentifier ?? '');
}

function describe(what: RecordSet): string {
  return `[name='${what.Name}', type='${what.Type}'${what.SetIdentifier ? `, set-identifier='${what.SetIdentifier}'` : ''}]`;
}

export class Route53 {
  /** Records by hosted zone id (zones are the account's `hostedZones`). */
  readonly records = new Map<string, RecordSet[]>();
  readonly healthChecks = new Map<string, HealthCheck>();
  readonly changes = new Map<string, { submittedAt: string; comment?: string }>();
  private readonly parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'Change' || name === 'ResourceRecord' });

  constructor(private readonly world: World, private readonly authorizer: Authorizer) {
    world.resourceHooks.push((event, check) => this.onResource(event, check));
  }

  /** The records of a zone, with the SOA and NS records Route 53 creates with every zone. */
  zoneRecords(zoneId: string): RecordSet[] {
    let records = this.records.get(zoneId);
    if (!records) {
      const zone = [...this.world.accounts.values()].flatMap((a) => a.hostedZones).find((z) => z.id === zoneId);
      records = zone ? [
        { Name: zone.name, Type: 'NS', TTL: '172800', ResourceRecords: ['ns-1.awsdns-01.org.', 'ns-2.awsdns-02.co.uk.', 'ns-3.awsdns-03.com.', 'ns-4.awsdns-04.net.'] },
        { Name: zone.name, Type: 'SOA', TTL: '900', ResourceRecords: ['ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400'] },
      ] : [];
      this.records.set(zoneId, records);
    }
    return records;
  }

  private zoneOf(account: string, zoneId: string): { id: string; name: string } | undefined {
    return this.world.account(account).hostedZones.find((z) => z.id === zoneId.replace(/^\/hostedzone\//, ''));
  }

  /** Whether a health check passes: its alarm's region (or its endpoint's) is not lost. */
  healthy(id: string): boolean {
    const check = this.healthChecks.get(id);
    if (!check) return false;
    const config = check.config ?? {};
    if (config.Type === 'CLOUDWATCH_METRIC') return !this.world.lostRegions.has(String(config.AlarmIdentifier?.Region ?? ''));
    if (config.Type === 'CALCULATED') {
      const children: string[] = (config.ChildHealthChecks ?? []).map(String);
      return children.filter((c) => this.healthy(c)).length >= Number(config.HealthThreshold ?? children.length);
    }
    const endpoint = String(config.FullyQualifiedDomainName ?? '');
    return ![...this.world.lostRegions].some((region) => endpoint.includes(`.${region}.`));
  }

  /** Whether Route 53 considers a record healthy: its health check, and its alias target's health if it evaluates it. */
  private recordHealthy(record: RecordSet): boolean {
    if (record.HealthCheckId && !this.healthy(record.HealthCheckId)) return false;
    if (record.AliasTarget?.EvaluateTargetHealth) return ![...this.world.lostRegions].some((region) => record.AliasTarget?.DNSName.includes(`.${region}.`));
    return true;
  }

  /**
   * What Route 53 answers for a name and type: a failover pair's primary while it is healthy, else its
   * secondary if that is (both unhealthy: the primary, as Route 53 does); a simple record as it is.
   */
  answer(zoneId: string, name: string, type = 'A'): RecordSet | undefined {
    const matching = this.zoneRecords(zoneId).filter((r) => r.Name === normalizeName(name) && r.Type === type);
    const primary = matching.find((r) => r.Failover === 'PRIMARY');
    const secondary = matching.find((r) => r.Failover === 'SECONDARY');
    if (!primary && !secondary) return matching[0];
    if (primary && this.recordHealthy(primary)) return primary;
    if (secondary && this.recordHealthy(secondary)) return secondary;
    return primary ?? secondary;
  }

  /** CloudFormation's side: AWS::Route53::RecordSet and AWS::Route53::HealthCheck. */
  private onResource(event: ResourceEvent, check: boolean): string | undefined {
    const { resource, account } = event;
    const p: Json = resource.properties ?? {};
    if (resource.type === 'AWS::Route53::HealthCheck') {
      if (check) return undefined;
      if (event.op === 'delete') this.healthChecks.delete(resource.physicalId);
      else this.healthChecks.set(resource.physicalId, { id: resource.physicalId, account, config: p.HealthCheckConfig ?? {} });
      return undefined;
    }
    if (resource.type !== 'AWS::Route53::RecordSet') return undefined;
    const zone = p.HostedZoneId ? this.zoneOf(account, String(p.HostedZoneId)) : this.world.account(account).hostedZones.find((z) => z.name === normalizeName(String(p.HostedZoneName ?? '')));
    if (!zone) return event.op === 'delete' ? undefined : `Resource handler returned message: "No hosted zone found with ID: ${p.HostedZoneId ?? p.HostedZoneName} (Service: Route53, Status Code: 404)" (HandlerErrorCode: NotFound)`;
    const record = recordFrom(p);
    const records = this.zoneRecords(zone.id);
    if (event.op === 'delete') {
      if (!check) this.records.set(zone.id, records.filter((r) => key(r) !== key(record)));
      return undefined;
    }
    const problem = this.validate(zone, records.filter((r) => key(r) !== key(record)).concat(record), record, event.op === 'create' ? records.find((r) => key(r) === key(record)) : undefined);
    if (problem) return `Resource handler returned message: "${problem} (Service: Route53, Status Code: 400)" (HandlerErrorCode: InvalidRequest)`;
    if (!check) this.records.set(zone.id, records.filter((r) => key(r) !== key(record)).concat(record));
    return undefined;
  }

  /** Route 53's checks of a zone's records after a change: in the zone, one primary and one secondary per failover name. */
  private validate(zone: { name: string }, after: RecordSet[], changed: RecordSet, existing?: RecordSet): string | undefined {
    if (existing) return `[Tried to create resource record set ${describe(changed)} but it already exists]`;
    if (changed.Name !== zone.name && !changed.Name.endsWith(`.${zone.name}`)) return `[RRSet with DNS name ${changed.Name} is not permitted in zone ${zone.name}]`;
    if (changed.Failover && !changed.SetIdentifier) return `[A failover record ${describe(changed)} needs a SetIdentifier]`;
    if (changed.HealthCheckId && !this.healthChecks.has(changed.HealthCheckId)) return `[The health check ${changed.HealthCheckId} does not exist]`;
    for (const role of ['PRIMARY', 'SECONDARY']) {
      const same = after.filter((r) => r.Name === changed.Name && r.Type === changed.Type && r.Failover === role);
      if (same.length > 1) return `[The resource record set ${describe(changed)} conflicts: ${same.length} ${role} failover records for ${changed.Name} ${changed.Type}]`;
    }
    return undefined;
  }

  private async authorize(caller: Caller, action: string, resource: string, context: Record<string, string | string[]> = {}): Promise<void> {
    const denial = await this.authorizer.check(caller, action, resource, context);
    if (denial) throw accessDenied(denial.message);
  }

  /** The REST-XML API under /2013-04-01/ (ListHostedZonesByName is answered in services.ts). */
  async handle(method: string, url: URL, body: Buffer, request: { caller: Caller; account: string }): Promise<string | undefined> {
    const rrset = url.pathname.match(/^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/);
    const change = url.pathname.match(/^\/2013-04-01\/change\/([^/]+)$/);
    if (rrset) {
      const zoneId = decodeURIComponent(rrset[1] ?? '');
      const arn = `arn:aws:route53:::hostedzone/${zoneId}`;
      if (method === 'GET') {
        await this.authorize(request.caller, 'route53:ListResourceRecordSets', arn);
        if (!this.zoneOf(request.account, zoneId)) throw new AwsError('NoSuchHostedZone', `No hosted zone found with ID: ${zoneId}`, 404);
        return this.list(zoneId, url.searchParams);
      }
      if (method === 'POST') return this.change(zoneId, arn, body, request);
    }
    if (change && method === 'GET') {
      const id = decodeURIComponent(change[1] ?? '');
      await this.authorize(request.caller, 'route53:GetChange', `arn:aws:route53:::change/${id}`);
      const found = this.changes.get(id);
      if (!found) throw new AwsError('NoSuchChange', `A change with the specified change ID does not exist: ${id}`, 404);
      // Route 53 propagates a change to its name servers within about a minute; here at once.
      return `<?xml version="1.0" encoding="UTF-8"?><GetChangeResponse xmlns="${NAMESPACE}">${toXml({ ChangeInfo: { Id: `/change/${id}`, Status: 'INSYNC', SubmittedAt: found.submittedAt, Comment: found.comment } })}</GetChangeResponse>`;
    }
    return undefined;
  }

  private list(zoneId: string, search: URLSearchParams): string {
    const all = [...this.zoneRecords(zoneId)].sort(order);
    const startName = search.get('name');
    const start: RecordSet = { Name: startName ? normalizeName(startName) : '', Type: search.get('type') ?? '', ...(search.get('identifier') ? { SetIdentifier: search.get('identifier') as string } : {}) };
    const from = startName ? all.filter((r) => order(r, start) >= 0) : all;
    const max = Math.min(Number(search.get('maxitems') ?? 300), 300);
    const page = from.slice(0, max);
    const next = from[max];
    return `<?xml version="1.0" encoding="UTF-8"?><ListResourceRecordSetsResponse xmlns="${NAMESPACE}">${toXml({
      ResourceRecordSets: new Members('ResourceRecordSet', page.map(toXmlRecord)),
      IsTruncated: Boolean(next), NextRecordName: next?.Name, NextRecordType: next ? next.Type : undefined, NextRecordIdentifier: next?.SetIdentifier, MaxItems: max,
    })}</ListResourceRecordSetsResponse>`;
  }

  private async change(zoneId: string, arn: string, body: Buffer, request: { caller: Caller; account: string }): Promise<string> {
    const parsed = this.parser.parse(body.toString('utf8'))?.ChangeResourceRecordSetsRequest?.ChangeBatch ?? {};
    const changes: { Action: string; ResourceRecordSet: Json }[] = parsed.Changes?.Change ?? [];
    const records = changes.map((c) => ({ action: String(c.Action), record: recordFrom(xmlRecord(c.ResourceRecordSet ?? {})) }));
    // Route 53's condition keys for ChangeResourceRecordSets (Service Authorization Reference).
    await this.authorize(request.caller, 'route53:ChangeResourceRecordSets', arn, {
      'route53:ChangeResourceRecordSetsNormalizedRecordNames': [...new Set(records.map((r) => r.record.Name.replace(/\.$/, '')))],
      'route53:ChangeResourceRecordSetsRecordTypes': [...new Set(records.map((r) => r.record.Type))],
      'route53:ChangeResourceRecordSetsActions': [...new Set(records.map((r) => r.action))],
    });
    const zone = this.zoneOf(request.account, zoneId);
    if (!zone) throw new AwsError('NoSuchHostedZone', `No hosted zone found with ID: ${zoneId}`, 404);
    if (records.length === 0) throw new AwsError('InvalidChangeBatch', 'A change batch needs at least one change');
    // The batch applies as a whole or not at all, and is validated on the result.
    let after = [...this.zoneRecords(zone.id)];
    const problems: string[] = [];
    for (const { action, record } of records) {
      const existing = after.find((r) => key(r) === key(record));
      if (action === 'CREATE' && existing) problems.push(`[Tried to create resource record set ${describe(record)} but it already exists]`);
      if (action === 'DELETE' && (!existing || JSON.stringify(toXmlRecord(existing)) !== JSON.stringify(toXmlRecord(record)))) {
        problems.push(`[Tried to delete resource record set ${describe(record)} but ${existing ? 'the values provided do not match the current values' : 'it was not found'}]`);
      }
      after = after.filter((r) => key(r) !== key(record));
      if (action !== 'DELETE') after.push(record);
    }
    for (const { action, record } of records) {
      if (action === 'DELETE') continue;
      const problem = this.validate(zone, after, record);
      if (problem) problems.push(problem);
    }
    if (problems.length) throw new AwsError('InvalidChangeBatch', [...new Set(problems)].join(', '));
    this.records.set(zone.id, after);
    const id = `C${this.world.next().toUpperCase()}CHANGE`;
    const submittedAt = this.world.now();
    const comment = parsed.Comment !== undefined ? String(parsed.Comment) : undefined;
    this.changes.set(id, { submittedAt, ...(comment !== undefined ? { comment } : {}) });
    return `<?xml version="1.0" encoding="UTF-8"?><ChangeResourceRecordSetsResponse xmlns="${NAMESPACE}">${toXml({ ChangeInfo: { Id: `/change/${id}`, Status: 'PENDING', SubmittedAt: submittedAt, Comment: comment } })}</ChangeResourceRecordSetsResponse>`;
  }
}

/** A record from CloudFormation properties or a parsed change (the same field names). */
function recordFrom(p: Json): RecordSet {
  const alias = p.AliasTarget;
  return {
    Name: normalizeName(String(p.Name ?? '')), Type: String(p.Type ?? ''),
    ...(p.SetIdentifier !== undefined ? { SetIdentifier: String(p.SetIdentifier) } : {}),
    ...(p.Failover !== undefined ? { Failover: String(p.Failover) as 'PRIMARY' | 'SECONDARY' } : {}),
    ...(p.Weight !== undefined ? { Weight: String(p.Weight) } : {}),
    ...(p.Region !== undefined ? { Region: String(p.Region) } : {}),
    ...(p.TTL !== undefined ? { TTL: String(p.TTL) } : {}),
    ...(p.ResourceRecords !== undefined ? { ResourceRecords: (p.ResourceRecords as unknown[]).map(String) } : {}),
    ...(alias ? { AliasTarget: { HostedZoneId: String(alias.HostedZoneId), DNSName: normalizeName(String(alias.DNSName)), EvaluateTargetHealth: alias.EvaluateTargetHealth === true || alias.EvaluateTargetHealth === 'true' } } : {}),
    ...(p.HealthCheckId !== undefined ? { HealthCheckId: String(p.HealthCheckId) } : {}),
  };
}

/** A parsed `<ResourceRecordSet>` in the shape of CloudFormation's properties. */
function xmlRecord(x: Json): Json {
  const { ResourceRecords, ...rest } = x;
  return { ...rest, ...(ResourceRecords ? { ResourceRecords: (ResourceRecords.ResourceRecord ?? []).map((r: Json) => r.Value) } : {}) };
}

function toXmlRecord(r: RecordSet): XmlValue {
  return {
    Name: r.Name, Type: r.Type, SetIdentifier: r.SetIdentifier, Weight: r.Weight, Region: r.Region, Failover: r.Failover, TTL: r.TTL,
    ResourceRecords: r.ResourceRecords ? new Members('ResourceRecord', r.ResourceRecords.map((v) => ({ Value: v }))) : undefined,
    AliasTarget: r.AliasTarget ? { HostedZoneId: r.AliasTarget.HostedZoneId, DNSName: r.AliasTarget.DNSName, EvaluateTargetHealth: r.AliasTarget.EvaluateTargetHealth } : undefined,
    HealthCheckId: r.HealthCheckId,
  };
}
