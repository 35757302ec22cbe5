/**
 * How the real AWS CLI (Debian's awscli v2 at /usr/bin/aws) is pointed at the stand-in. awscli 2.9 does
 * not read AWS_ENDPOINT_URL (that came in 2.13), so an `aws` wrapper early on the PATH adds
 * `--endpoint-url`. `aws cloudformation deploy` creates its S3 client without the endpoint option
 * (awscli/customizations/cloudformation/deploy.py), so an endpoint rule set for S3 in AWS_DATA_PATH
 * sends that client to the stand-in as well. Nothing leaves 127.0.0.1.
 */
import fs from 'node:fs';
import path from 'node:path';

export const AWS_CLI = process.env.GANTRY_REHEARSAL_AWS ?? '/usr/bin/aws';

/** Writes bin/aws and the S3 endpoint rule set under `dir`; returns the environment the CLI needs. */
export function awsCliEnvironment(dir: string, endpoint: string): Record<string, string> {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'aws'), `#!/bin/sh\nexec ${AWS_CLI} --endpoint-url "${endpoint}" "$@"\n`, { mode: 0o755 });
  const rules = path.join(dir, 'aws-data', 's3', '2006-03-01');
  fs.mkdirSync(rules, { recursive: true });
  const endpointFor = (url: string) => ({
    url, properties: { authSchemes: [{ name: 'sigv4', signingName: 's3', signingRegion: '{Region}', disableDoubleEncoding: true }] }, headers: {},
  });
  fs.writeFileSync(path.join(rules, 'endpoint-rule-set-1.json'), JSON.stringify({
    version: '1.0',
    parameters: { Bucket: { type: 'String', required: false }, Region: { builtIn: 'AWS::Region', type: 'String', required: false } },
    rules: [
      { conditions: [{ fn: 'isSet', argv: [{ ref: 'Bucket' }] }], endpoint: endpointFor(`${endpoint}/{Bucket}`), type: 'endpoint' },
      { conditions: [], endpoint: endpointFor(endpoint), type: 'endpoint' },
    ],
  }));
  return {
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    AWS_DATA_PATH: path.join(dir, 'aws-data'),
    AWS_CONFIG_FILE: path.join(dir, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    AWS_MAX_ATTEMPTS: '1',
  };
}
