// jest globalTeardown: removes what global-setup.js made.
'use strict';
const fs = require('node:fs');

module.exports = async function globalTeardown() {
  if (process.env.GANTRY_TEST_SHARED) fs.rmSync(process.env.GANTRY_TEST_SHARED, { recursive: true, force: true });
};
