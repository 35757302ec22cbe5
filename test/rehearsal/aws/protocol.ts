/**
 * Wire formats of the AWS protocols the CLI speaks to the stand-in: the query protocol (CloudFormation,
 * STS, Auto Scaling, EC2) with XML answers, JSON 1.1 (SSM) and REST-XML (S3, Route 53). Only what the
 * stand-in answers with; botocore parses the answers against its own service models, so element names
 * must be exactly AWS's.
 */

export type XmlValue = string | number | boolean | null | undefined | XmlValue[] | Members | { [key: string]: XmlValue };

/**
 * A list whose members carry their own element name, as RDS and Route 53 name them in their models
 * (`<DBInstances><DBInstance>…`, `<ResourceRecordSets><ResourceRecordSet>…`) instead of `<member>`.
 */
export class Members {
  constructor(readonly tag: string, readonly items: XmlValue[]) {}
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Serialises a value; arrays become repeated `<member>` (query protocol) or `<item>` (EC2) elements. */
export function toXml(value: XmlValue, listItem = 'member'): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Members) return value.items.map((v) => `<${value.tag}>${toXml(v, listItem)}</${value.tag}>`).join('');
  if (Array.isArray(value)) return value.map((v) => `<${listItem}>${toXml(v, listItem)}</${listItem}>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${toXml(v, listItem)}</${k}>`)
      .join('');
  }
  return escape(String(value));
}

export function queryResponse(action: string, namespace: string, result: Record<string, XmlValue>): string {
  return `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${namespace}"><${action}Result>${toXml(result)}</${action}Result>` +
    `<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></${action}Response>`;
}

export function ec2Response(action: string, result: Record<string, XmlValue>): string {
  return `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">` +
    `<requestId>00000000-0000-0000-0000-000000000000</requestId>${toXml(result, 'item')}</${action}Response>`;
}

/** An error the stand-in answers with, in the protocol of the service that raised it. */
export class AwsError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
  }
}

export function accessDenied(message: string): AwsError {
  return new AwsError('AccessDenied', message, 403);
}

export function queryError(error: AwsError): string {
  return `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>Sender</Type><Code>${escape(error.code)}</Code>` +
    `<Message>${escape(error.message)}</Message></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>`;
}

export function ec2Error(error: AwsError): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${escape(error.code)}</Code><Message>${escape(error.message)}</Message></Error></Errors>` +
    `<RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>`;
}

export function restXmlError(error: AwsError): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${escape(error.code)}</Code><Message>${escape(error.message)}</Message>` +
    `<RequestId>00000000-0000-0000-0000-000000000000</RequestId></Error>`;
}

/** Query-protocol parameters (`Parameters.member.1.ParameterKey=...`) as a flat map. */
export class QueryParams {
  constructor(private readonly params: URLSearchParams) {}
  get(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }
  /** `Name.member.N` (or EC2's `Name.N`, or `Name.<member>.N` where the model names the member) as a list of strings. */
  list(name: string, member = 'member'): string[] {
    const out: string[] = [];
    for (let i = 1; ; i++) {
      const value = this.params.get(`${name}.${member}.${i}`) ?? this.params.get(`${name}.${i}`);
      if (value === null) return out;
      out.push(value);
    }
  }
  /** `Name.member.N.Field` as a list of records. */
  records(name: string, member = 'member'): Record<string, string>[] {
    const out: Record<string, string>[] = [];
    for (let i = 1; ; i++) {
      const prefixes = [`${name}.${member}.${i}.`, `${name}.${i}.`];
      const record: Record<string, string> = {};
      for (const [key, value] of this.params) {
        const prefix = prefixes.find((p) => key.startsWith(p));
        if (prefix) record[key.slice(prefix.length)] = value;
      }
      if (Object.keys(record).length === 0) return out;
      out.push(record);
    }
  }
}
