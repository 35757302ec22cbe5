/** Only the deploy rehearsal: `npm run test:rehearsal` (with GANTRY_REHEARSAL=full, every scenario of every source). */
const base = require('./jest.all.config');

/** @type {import('jest').Config} */
module.exports = { ...base, testMatch: ['**/test/rehearsal/rehearsal.test.ts'] };
