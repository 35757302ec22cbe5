import { buildIdentity, installedDependencies, provenance, runningProvenance } from '../../../generator/write/fingerprint';
import { manifestProblem, parseManifest, renderManifest } from '../../../generator/write/manifest';
import { treeHash } from '../../../generator/write/tree-hash';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../../helpers';

const inputs = { specText: 'version: 1\n', specFile: 'environment.yaml', outDir: 'output', workflowsDir: '.github/workflows' };

describe('which gantry wrote a tree', () => {
  it('names the running build by a SHA-256 that is the same on every call', () => {
    expect(buildIdentity()).toMatch(/^[0-9a-f]{64}$/);
    expect(buildIdentity()).toBe(buildIdentity());
  });

  it('covers the installed version of every runtime dependency (aws-cdk-lib and js-yaml shape the templates)', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as { dependencies: Record<string, string> };
    // gantry pins exact versions, and a clean install holds exactly those
    expect(Object.fromEntries(installedDependencies())).toEqual(pkg.dependencies);
  });

  it('records the build only where gantry runs (the committed examples record the inputs alone)', () => {
    expect(provenance(inputs)).not.toHaveProperty('build');
    expect(runningProvenance(inputs)).toEqual({ ...provenance(inputs), build: buildIdentity() });
  });

  it('keeps the build in the manifest, and refuses one that is not a hash', () => {
    const text = renderManifest({ spec: 'environment.yaml', ...runningProvenance(inputs), files: {} });
    expect(parseManifest(text)?.build).toBe(buildIdentity());
    expect(manifestProblem(text.replace(/"build": "[0-9a-f]+"/, '"build": "x"'))).toBe('"build" is not a SHA-256 hash');
  });

  it('hashes a tree by relative paths and contents, whatever the order the folder lists them in', () => {
    const a = tempDir();
    fs.mkdirSync(path.join(a, 'sub'));
    fs.writeFileSync(path.join(a, 'sub/x.js'), 'x');
    fs.writeFileSync(path.join(a, 'y.js'), 'y');
    fs.writeFileSync(path.join(a, 'y.js.map'), 'ignored');
    const before = treeHash(a, (name) => name.endsWith('.js'));
    fs.writeFileSync(path.join(a, 'y.js.map'), 'changed');
    expect(treeHash(a, (name) => name.endsWith('.js'))).toBe(before);
    fs.writeFileSync(path.join(a, 'sub/x.js'), 'x2');
    expect(treeHash(a, (name) => name.endsWith('.js'))).not.toBe(before);
  });
});
