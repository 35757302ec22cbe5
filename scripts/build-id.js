// Build step: writes dist/build-id.json, the SHA-256 of the compiled generator (dist/**/*.js and
// the pre-parsed blueprints), so that a manifest can record which build of gantry wrote a tree
// (generator/write/fingerprint.ts): `gantry check` trusts a tree's hashes without building only
// when the same build reads the same spec. Hashed once here, not on every check.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dist = path.join(__dirname, '..', 'dist');
const { treeHash } = require(path.join(dist, 'write/tree-hash.js'));
const { BUILD_ID_FILE, isBuildFile } = require(path.join(dist, 'write/fingerprint.js'));
fs.writeFileSync(path.join(dist, BUILD_ID_FILE), `${JSON.stringify({ sha256: treeHash(dist, isBuildFile) })}\n`);
