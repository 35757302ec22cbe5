/** The deploy rehearsal's scenario suite: `npm run test:rehearsal`. */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = { ...base, testMatch: ['**/test/rehearsal/rehearsal.test.ts'], testPathIgnorePatterns: ['/node_modules/'] };
