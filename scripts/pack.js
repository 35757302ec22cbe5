// Packs gantry the way a user's repository installs it: `npm run pack [-- --pack-destination DIR]`.
//
// The tarball is `npm pack` of a staged copy of the package whose package.json has no scripts and no
// devDependencies: `prepare` builds dist/ in gantry's own clone, but in a user's install it could only fail
// (no TypeScript there), and npm lists it as an install script waiting for approval. The tarball carries
// dist/ already built. (npm ignores an npm-shrinkwrap.json in a tarball installed by path or URL, so the
// dependency versions a user gets are pinned in package.json itself; see the README.)
// Prints the tarball's path on stdout.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const destIndex = args.indexOf('--pack-destination');
const destination = path.resolve(destIndex >= 0 ? args[destIndex + 1] : root);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

if (!args.includes('--no-build')) {
  // A fresh dist/: tsc never removes the output of a source file that is gone.
  fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  execFileSync(npm, ['run', 'build'], { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
}

const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-pack-'));
try {
  const { scripts: _scripts, devDependencies: _dev, allowScripts: _allow, ...published } = manifest;
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
  for (const entry of [...manifest.files, 'README.md']) {
    const from = path.join(root, entry);
    if (!fs.existsSync(from)) throw new Error(`package.json files lists ${entry}, which does not exist; run "npm run build"`);
    fs.cpSync(from, path.join(stage, entry), { recursive: true });
  }
  const packed = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', destination], { cwd: stage, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  process.stdout.write(`${path.join(destination, packed[0].filename)}\n`);
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}

