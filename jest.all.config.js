/**
 * Every suite: what CI runs (`npm run test:all`, the README's test command). Beside the fast ones
 * (jest.config.js, `npm test`), the suites that run the generated scripts with the real AWS CLI
 * against stand-ins (the deploy rehearsal, the workflow scripts, the stack sets rollout), and the
 * one that packs and installs gantry into a fresh repository.
 */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = { ...base, testPathIgnorePatterns: ['/node_modules/'] };
