/**
 * The stand-in AWS as an HTTP server on 127.0.0.1 (a random port), which the real AWS CLI talks to.
 * It tells the service and region from the request's SigV4 Credential scope, the caller from its access
 * key id, and answers in the service's own protocol. The same server stands in for the two other
 * endpoints the workflows reach: GitHub's REST API (pull-request comments) and a Slack webhook.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Authorizer, type Caller } from './iam';
import { CloudFormation } from './cloudformation';
import { Rds } from './rds';
import { Route53 } from './route53';
import { SecretsManager } from './secretsmanager';
import { AwsError, QueryParams, ec2Error, ec2Response, queryError, queryResponse, restXmlError } from './protocol';
import { autoscaling, ec2, listHostedZonesByName, s3, ssm, sts } from './services';
import { World, type Call } from './world';

export interface PullRequestComment {
  id: number;
  issue: number;
  body: string;
}

export class StandIn {
  readonly world = new World(new Authorizer());
  readonly comments: PullRequestComment[] = [];
  readonly slackMessages: string[] = [];
  /** When set, the Slack webhook answers 500, as Slack does during an outage. */
  slackDown = false;
  private readonly cloudformation = new CloudFormation(this.world, this.world.authorizer);
  readonly rds = new Rds(this.world, this.world.authorizer);
  readonly route53 = new Route53(this.world, this.world.authorizer);
  readonly secretsmanager = new SecretsManager(this.world, this.world.authorizer, this.rds);
  private server?: http.Server;
  /** The AWS call each request made, for the world's `answered` listeners. */
  private readonly callOf = new WeakMap<http.IncomingMessage, Call>();
  url = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.dispatch(req, Buffer.concat(chunks)).then(
          ({ status, body, headers }) => {
            const call = this.callOf.get(req);
            if (call && !call.error) for (const listener of this.world.answered) listener(call);
            res.writeHead(status, headers);
            res.end(body);
          },
          (error: unknown) => { res.writeHead(500, { 'Content-Type': 'text/plain' }); res.end(String(error instanceof Error ? error.stack : error)); },
        );
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async dispatch(req: http.IncomingMessage, body: Buffer): Promise<{ status: number; body: string | Buffer; headers?: Record<string, string> }> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/github/')) return this.github(req.method ?? 'GET', url, body);
    if (url.pathname === '/slack') {
      if (this.slackDown) return { status: 500, body: 'internal_error' };
      this.slackMessages.push(body.toString('utf8'));
      return { status: 200, body: 'ok' };
    }
    const auth = String(req.headers.authorization ?? '');
    const scope = auth.match(/Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/);
    const form = new URLSearchParams(body.toString('utf8'));
    const service = scope?.[3] ?? (form.get('Action') === 'AssumeRoleWithWebIdentity' ? 'sts' : 'unknown');
    const region = scope?.[2] ?? 'us-east-1';
    const caller = scope ? this.world.sessions.get(scope[1] ?? '') : undefined;
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = target ? target.split('.')[1] ?? '' : form.get('Action') ?? `${req.method} ${url.pathname}`;
    const record = { service, action, caller: caller?.arn ?? 'anonymous', region };
    this.world.calls.push(record);
    this.callOf.set(req, record);
    const xml = { 'Content-Type': 'text/xml' };
    try {
      if (scope && !caller) throw new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
      // A lost region answers nothing; Route 53 (a global service, signed for us-east-1) keeps answering.
      // An unsigned call (AssumeRoleWithWebIdentity) names no region here: the CLI sends it to the
      // STS endpoint of its --region, which the stand-in cannot tell, so it is not refused.
      if (scope && this.world.lostRegions.has(region) && service !== 'route53') throw new AwsError('ServiceUnavailable', `${service}.${region}.amazonaws.com is unavailable: the rehearsal lost the region ${region}`, 503);
      if (service === 'sts') return { status: 200, body: queryResponse(action, 'https://sts.amazonaws.com/doc/2011-06-15/', await sts(this.world, action, new QueryParams(form), caller, region)), headers: xml };
      const request = { caller: caller as Caller, account: (caller as Caller).account, region };
      switch (service) {
        case 'cloudformation':
          return { status: 200, body: queryResponse(action, 'http://cloudformation.amazonaws.com/doc/2010-05-15/', await this.cloudformation.handle(action, { ...request, params: new QueryParams(form) })), headers: xml };
        case 'ec2':
          return { status: 200, body: ec2Response(action, await ec2(this.world, action, new QueryParams(form), request)), headers: xml };
        case 'autoscaling':
          return { status: 200, body: queryResponse(action, 'http://autoscaling.amazonaws.com/doc/2011-01-01/', await autoscaling(this.world, action, request)), headers: xml };
        case 'ssm':
          return { status: 200, body: JSON.stringify(await ssm(this.world, action, JSON.parse(body.toString('utf8') || '{}'), request)), headers: { 'Content-Type': 'application/x-amz-json-1.1' } };
        case 'secretsmanager':
          return { status: 200, body: JSON.stringify(await this.secretsmanager.handle(action, JSON.parse(body.toString('utf8') || '{}'), request)), headers: { 'Content-Type': 'application/x-amz-json-1.1' } };
        case 'rds':
          return { status: 200, body: await this.rds.handle(action, new QueryParams(form), request), headers: xml };
        case 'route53': {
          if (url.pathname.endsWith('/hostedzonesbyname')) return { status: 200, body: await listHostedZonesByName(this.world, request, url.searchParams.get('dnsname')), headers: xml };
          const answer = await this.route53.handle(req.method ?? 'GET', url, body, request);
          if (answer !== undefined) return { status: 200, body: answer, headers: xml };
          throw new AwsError('NotImplemented', `the stand-in Route 53 does not implement ${req.method} ${url.pathname}`, 501);
        }
        case 's3':
          return await s3(this.world, req.method ?? 'GET', url.pathname, url.searchParams, body, request);
        default:
          throw new AwsError('NotImplemented', `the stand-in does not implement the service ${service}`, 501);
      }
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      Object.assign(record, { error: `${error.code}: ${error.message}` });
      if (service === 'ssm' || service === 'secretsmanager') return { status: error.status, body: JSON.stringify({ __type: error.code, message: error.message }), headers: { 'Content-Type': 'application/x-amz-json-1.1' } };
      if (service === 'ec2') return { status: error.status, body: ec2Error(error), headers: xml };
      if (service === 's3' || service === 'route53') return { status: error.status, body: req.method === 'HEAD' ? '' : restXmlError(error), headers: xml };
      return { status: error.status, body: queryError(error), headers: xml };
    }
  }

  /** GitHub's REST API, as far as `gantry comment` uses it: list, create and update issue comments. */
  private github(method: string, url: URL, body: Buffer): { status: number; body: string; headers: Record<string, string> } {
    const json = { 'Content-Type': 'application/json; charset=utf-8' };
    const list = url.pathname.match(/^\/github\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/);
    const one = url.pathname.match(/^\/github\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/);
    // The workflow's GITHUB_TOKEN is an installation token: GET /user is refused as GitHub refuses it.
    if (url.pathname === '/github/user') return { status: 403, body: JSON.stringify({ message: 'Resource not accessible by integration' }), headers: json };
    const bot = { login: 'github-actions[bot]', type: 'Bot' };
    if (list && method === 'GET') {
      return { status: 200, body: JSON.stringify(this.comments.filter((c) => c.issue === Number(list[1])).map((c) => ({ id: c.id, body: c.body, user: bot }))), headers: json };
    }
    if (list && method === 'POST') {
      const comment = { id: this.comments.length + 1, issue: Number(list[1]), body: String(JSON.parse(body.toString('utf8')).body) };
      this.comments.push(comment);
      return { status: 201, body: JSON.stringify({ ...comment, user: bot }), headers: json };
    }
    if (one && method === 'PATCH') {
      const comment = this.comments.find((c) => c.id === Number(one[1]));
      if (!comment) return { status: 404, body: '{"message":"Not Found"}', headers: json };
      comment.body = String(JSON.parse(body.toString('utf8')).body);
      return { status: 200, body: JSON.stringify({ ...comment, user: bot }), headers: json };
    }
    return { status: 404, body: JSON.stringify({ message: `the stand-in GitHub does not implement ${method} ${url.pathname}` }), headers: json };
  }
}
