/** The deploy rehearsal's scenario suite: `npm run test:rehearsal` (and part of `npm test` in CI, see .ci/run). */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['**/test/rehearsal/rehearsal.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  // Two sources at a time: their work is in child processes (the AWS CLI, bash, gantry).
  maxConcurrency: 2,
};
