// jest globalTeardown: removes what global-setup.js made.
'use strict';
const fs = require('node:fs');

module.exports = async function globalTeardown() {
  if (process.env.GANTRY_TEST_RUN) fs.rmSync(process.env.GANTRY_TEST_RUN, { recursive: true, force: true });
};
