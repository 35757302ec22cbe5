/**
 * How the real AWS CLI (Debian's awscli v2 at /usr/bin/aws) is pointed at the stand-in. awscli 2.9 does
 * not read AWS_ENDPOINT_URL (that came in 2.13), so an `aws` wrapper early on the PATH adds
 * `--endpoint-url`. `aws cloudformation deploy` creates its S3 client without the endpoint option
 * (awscli/customizations/cloudformation/deploy.py), so an endpoint rule set for S3 in AWS_DATA_PATH
 * sends that client to the stand-in as well. Nothing leaves 127.0.0.1.
 *
 * When the CLI's server runs (aws-forkserver.py: the CLI imported once, its workers forked from it
 * serving call after call), the wrapper hands the call to it; otherwise, or when its socket is gone,
 * it runs the CLI itself.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const AWS_CLI = process.env.GANTRY_REHEARSAL_AWS ?? '/usr/bin/aws';

/** The Python that runs the CLI (its script's `#!` line), or undefined when the CLI is not a Python script. */
function cliPython(): string | undefined {
  try {
    const first = fs.readFileSync(AWS_CLI, 'utf8').split('\n', 1)[0] ?? '';
    const match = /^#!\s*(\/\S*python3?[\d.]*)\s*$/.exec(first);
    return match?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Starts the CLI's fork server on a socket under `dir`, in the environment its `callers` share (what
 * awsCliEnvironment returns: the loader and the driver it makes for them are theirs); resolves with it once it is ready, or with
 * undefined when it cannot run (the CLI is not Python's, or GANTRY_REHEARSAL_FORKSERVER=0): then every
 * call runs the CLI afresh, which is slower but the same.
 */
export async function startForkServer(dir: string, callers: Record<string, string> = {}): Promise<{ socket: string; python: string; stop: () => void } | undefined> {
  const python = cliPython();
  if (!python || process.env.GANTRY_REHEARSAL_FORKSERVER === '0') return undefined;
  const socket = path.join(dir, 'aws.sock');
  const child: ChildProcess = spawn(python, [path.join(__dirname, 'aws-forkserver.py'), socket],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...callers } });
  const ready = await new Promise<boolean>((resolve) => {
    let errors = '';
    child.stdout?.once('data', () => resolve(true));
    child.stderr?.on('data', (chunk: Buffer) => { errors += chunk.toString(); });
    child.once('exit', () => {
      if (errors) process.stderr.write(`rehearsal: the AWS CLI fork server did not start, each call runs the CLI afresh:\n${errors}`);
      resolve(false);
    });
  });
  if (!ready) return undefined;
  child.stdout?.resume();
  child.stderr?.resume();
  return { socket, python, stop: () => { child.kill('SIGKILL'); fs.rmSync(socket, { force: true }); } };
}

/**
 * Compiles aws-forkclient.c as `file`, the `aws` command that hands each call to the fork server (or,
 * when its socket is gone, runs the CLI itself); false when there is no C compiler, and then a shell
 * wrapper runs the Python client, 30 ms slower a call.
 */
function compileForkClient(file: string, socket: string, endpoint: string): boolean {
  if (process.env.GANTRY_REHEARSAL_FORKCLIENT === 'python') return false;
  const literal = (text: string) => JSON.stringify(text);
  const compiled = spawnSync(process.env.CC ?? 'cc', ['-O2', '-o', file, `-DSOCKET_PATH=${literal(socket)}`, `-DENDPOINT_URL=${literal(endpoint)}`,
    `-DAWS_CLI=${literal(AWS_CLI)}`, path.join(__dirname, 'aws-forkclient.c')], { encoding: 'utf8' });
  return compiled.status === 0;
}

/** Writes bin/aws and the S3 endpoint rule set under `dir`; returns the environment the CLI needs. */
export function awsCliEnvironment(dir: string, endpoint: string, forkServer?: { socket: string; python: string }): Record<string, string> {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const direct = `exec ${AWS_CLI} --endpoint-url "${endpoint}" "$@"`;
  const wrapper = path.join(bin, 'aws');
  if (!forkServer || !compileForkClient(wrapper, forkServer.socket, endpoint)) {
    const viaServer = forkServer
      ? `[ -S "${forkServer.socket}" ] && exec ${forkServer.python} -I -S "${path.join(__dirname, 'aws-forkclient.py')}" "${forkServer.socket}" --endpoint-url "${endpoint}" "$@"\n`
      : '';
    fs.rmSync(wrapper, { force: true });
    fs.writeFileSync(wrapper, `#!/bin/sh\n${viaServer}${direct}\n`, { mode: 0o755 });
  }
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
    // The stand-in finishes every operation inside the call, so the scripts' poll interval
    // (gantry-lib.sh waits before it looks, as CloudFormation's status lags an execute) need not pass.
    GANTRY_POLL_SECONDS: '0',
  };
}
