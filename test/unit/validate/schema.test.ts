import fs from 'node:fs';
import { validateSchema } from '../../../generator/validate/schema';
import { SCHEMA_FILE } from '../../../generator/paths';
import { formatPath } from '../../../generator/spec/path';
import { DEFAULTS } from '../../../generator/model/defaults';
import { documentWith, BASE_DOCUMENT } from '../../helpers';

function messages(fragment: object): string[] {
  return validateSchema(documentWith(fragment)).map((f) => `${f.code} ${formatPath(f.path)}: ${f.message}${f.hint ? ` | ${f.hint}` : ''}`);
}

describe('validateSchema', () => {
  it('accepts the base document', () => {
    expect(validateSchema(BASE_DOCUMENT)).toEqual([]);
  });

  test.each([
    ['an unknown key, with did-you-mean', { tiers: { web: { instancetype: 't3.small' } } },
      [expect.stringMatching(/^GNT101 tiers\.web\.instancetype: unknown field \| did you mean "instanceType"\?/)]],
    ['a top-level key that cannot be overridden', { environments: { prod: { overrides: { project: 'x' } } } },
      [expect.stringMatching(/^GNT101 environments\.prod\.overrides\.project: unknown field \| project is the same in every environment/)]],
    ['a YAML merge key', { tiers: { web: { '<<': {} } } },
      [expect.stringMatching(/^GNT101 tiers\.web\["<<"\]: unknown field \| YAML merge keys are not supported/)]],
    ['a missing required field', { database: { engine: 'postgres' } },
      ['GNT102 database: missing required field "version" | Engine version as RDS names it, e.g. "16.13" or 15.00.4460.4.v1, and one RDS still creates instances with (gantry rejects versions AWS lists as deprecated). Quote it so YAML keeps it a string.']],
    ['a wrong type', { tiers: { web: { port: 'eighty' } } }, ['GNT103 tiers.web.port: must be a whole number, not the text "eighty"']],
    ['a number where text is expected', { database: { engine: 'postgres', version: 16.4 } },
      ['GNT103 database.version: must be text, not 16.4 | quote it so YAML keeps it as text: "16.4"']],
    ['an account that YAML read as a number', { environments: { prod: { account: 12345678901 } } },
      ['GNT103 environments.prod.account: must be a quoted 12-digit account id, not the number 12345678901 | write it in quotes: account: "012345678901"']],
    ['an empty section', { network: null }, ['GNT103 network: must be a mapping, not empty | give it fields, or remove the key']],
    ['an enum', { network: { natGateways: 'perAZ' } },
      ['GNT105 network.natGateways: "perAZ" is not one of the allowed values | did you mean "perAz"?; allowed: perAz, single, none']],
    ['a version other than 1', { version: 2 },
      ['GNT108 version: gantry reads spec version 1; this file says 2 | set "version: 1" (the format of that version is in schemas/environment.schema.json)']],
    ['a pattern with its own words', { tiers: { web: { healthCheck: 'health' } } },
      ['GNT106 tiers.web.healthCheck: "health" must be a URL path starting with /, e.g. /health (letters, digits and ._~!$&()*+,;=:@%/?- only)']],
    ['a health path that would break out of the user data quotes', { tiers: { web: { healthCheck: "/h';reboot;'" } } },
      [expect.stringMatching(/^GNT106 tiers\.web\.healthCheck: /)]],
    ['a health path longer than a target group takes (1024)', { tiers: { web: { healthCheck: `/${'h'.repeat(1024)}` } } },
      [expect.stringMatching(/^GNT10\d tiers\.web\.healthCheck: .*1024/)]],
    ['an API path longer than CloudFront takes (255)', { edge: { domain: 'shop.example.com', zone: 'example.com', api: { tier: 'web', path: `/${'a'.repeat(255)}` } } },
      [expect.stringMatching(/^GNT10\d edge\.api\.path: .*255/)]],
    ['an e-mail', { notifications: { emails: ['ops@'] } }, ['GNT106 notifications.emails[0]: "ops@" is not a valid e-mail address']],
    ['a bound', { database: { engine: 'postgres', version: '16', backupRetentionDays: 36 } },
      ['GNT104 database.backupRetentionDays: must be at most 35 (found 36)']],
    ['cpuPercent above 100', { tiers: { web: { scaling: { cpuPercent: 120 } } } }, ['GNT104 tiers.web.scaling.cpuPercent: must be at most 100 (found 120)']],
    ['a budget of zero', { budget: { monthlyUsd: 0 } }, ['GNT104 budget.monthlyUsd: must be greater than 0 (found 0)']],
    ['a timeout that is no duration', { tiers: { web: { deploy: { timeout: '20m' } } } },
      ['GNT106 tiers.web.deploy.timeout: "20m" must be an ISO-8601 duration such as PT15M or PT1H']],
    ['a repeated item', { network: { endpoints: ['s3', 'ssm', 's3'] } }, ['GNT107 network.endpoints[2]: "s3" is listed twice | remove the repeated entry']],
    ['no regions', { environments: { prod: { regions: [] } } }, ['GNT107 environments.prod.regions: must list at least 1 item']],
    ['two scaling metrics', { tiers: { web: { scaling: { cpuPercent: 50, requestsPerTarget: 100 } } } },
      ['GNT109 tiers.web.scaling: gives both cpuPercent and requestsPerTarget; target tracking scales on one metric | keep one of them']],
    ['half of the immutable GitHub ids', { github: { ownerId: 1 } }, ['GNT109 github: "ownerId" needs "repositoryId" as well']],
    ['a region entry that is neither text nor mapping', { environments: { prod: { regions: [5] } } },
      ['GNT103 environments.prod.regions[0]: must be text or a mapping, not 5 | quote it so YAML keeps it as text: "5"']],
    ['a bad tier name, on the key', { tiers: { Web: {} } },
      ['GNT106 tiers.Web: the name "Web" must be 1 to 20 lowercase letters, digits and hyphens, starting with a letter | rename it, e.g. "web"']],
  ])('%s', (_name, fragment, expected) => {
    expect(messages(fragment)).toEqual(expected);
  });
});

describe('the schema file', () => {
  const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'));

  /** Every property definition, with its path, wherever it sits in the schema. */
  function properties(node: unknown, path: string[] = [], out: [string, Record<string, unknown>][] = []) {
    if (Array.isArray(node)) node.forEach((n) => properties(n, path, out));
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
        if (key === 'properties') {
          for (const [name, def] of Object.entries(value as Record<string, Record<string, unknown>>)) {
            out.push([[...path, name].join('.'), def]);
            properties(def, [...path, name], out);
          }
        } else properties(value, key === 'definitions' ? path : [...path, key], out);
      }
    }
    return out;
  }

  it('describes every field', () => {
    const undescribed = properties(schema).filter(([, def]) => !def.description && !def.$ref && !def.allOf).map(([p]) => p);
    expect(undescribed).toEqual([]);
  });

  it('closes every object to unknown keys', () => {
    const open: string[] = [];
    const visit = (node: unknown, path: string) => {
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (n.properties && n.additionalProperties !== false) open.push(path);
      for (const [k, v] of Object.entries(n)) visit(v, `${path}/${k}`);
    };
    visit(schema, '');
    expect(open).toEqual([]);
  });

  it('documents the defaults the model applies', () => {
    const defs = schema.definitions;
    expect(defs.network.properties.cidr.default).toBe(DEFAULTS.network.cidr);
    expect(defs.network.properties.availabilityZones.default).toBe(DEFAULTS.network.availabilityZones);
    expect(defs.network.properties.natGateways.default).toBe(DEFAULTS.network.natGateways);
    expect(defs.network.properties.flowLogs.default).toBe(DEFAULTS.network.flowLogs);
    expect(defs.network.properties.flowLogRetentionDays.default).toBe(DEFAULTS.network.flowLogRetentionDays);
    expect(defs.network.properties.endpoints.default).toEqual(DEFAULTS.network.endpoints);
    expect(defs.tier.properties.os.default).toBe(DEFAULTS.tier.os);
    expect(defs.tier.properties.instanceType.default).toBe(DEFAULTS.tier.instanceType);
    expect(defs.tier.properties.capacity.properties.min.default).toBe(DEFAULTS.tier.capacity.min);
    expect(defs.tier.properties.capacity.properties.max.default).toBe(DEFAULTS.tier.capacity.max);
    expect(defs.tier.properties.scaling.default).toEqual(DEFAULTS.tier.scaling);
    expect(defs.tier.properties.port.default).toBe(DEFAULTS.tier.port);
    expect(defs.tier.properties.healthCheck.default).toBe(DEFAULTS.tier.healthCheck);
    expect(defs.tier.properties.deploy.properties.strategy.default).toBe(DEFAULTS.tier.deploy.strategy);
    expect(defs.tier.properties.deploy.properties.batchSize.default).toBe(DEFAULTS.tier.deploy.batchSize);
    expect(defs.tier.properties.deploy.properties.timeout.default).toBe(DEFAULTS.tier.deploy.timeout);
    for (const [key, value] of Object.entries(DEFAULTS.database)) expect([key, defs.database.properties[key].default]).toEqual([key, value]);
    expect(defs.edge.properties.api.properties.path.default).toBe(DEFAULTS.edge.apiPath);
    expect(defs.edge.properties.waf.properties.managedRules.default).toEqual(DEFAULTS.edge.managedRules);
    expect(defs.edge.properties.waf.properties.ratePerFiveMinutes.default).toBe(DEFAULTS.edge.ratePerFiveMinutes);
    expect(defs.edge.properties.shieldAdvanced.default).toBe(DEFAULTS.edge.shieldAdvanced);
    for (const [key, value] of Object.entries(DEFAULTS.alarms)) expect([key, defs.alarms.properties[key].default]).toEqual([key, value]);
    expect(defs.budget.properties.alertAtPercent.default).toEqual(DEFAULTS.budget.alertAtPercent);
  });
});
