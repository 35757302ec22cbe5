#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI lives in dist/ (built by `npm ci` through the `prepare` script in a clone; carried
// ready-built by the release tarball).
const fs = require('node:fs');
const path = require('node:path');

const main = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(main)) {
  // An install from a git URL whose build was skipped (npm --ignore-scripts), or a clone before npm ci.
  process.stderr.write('gantry: this copy of gantry has no built CLI (dist/). Install gantry from its release tarball (see its README), or run "npm ci" in a clone.\n');
  process.exit(2);
}
require(main).main();
