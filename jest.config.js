/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  // The deploy rehearsal's sources run two at a time (test/rehearsal/rehearsal.test.ts).
  maxConcurrency: 2,
  // Type checking happens once in `npm run typecheck`; here ts-jest only transpiles (isolatedModules).
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Leave a core free on 2-core machines.
  maxWorkers: '50%',
  // Built once per run and shared by the suites: gantry's source transpiled for child processes,
  // and the generated tree of every example and test spec (test/setup/global-setup.js).
  globalSetup: '<rootDir>/test/setup/global-setup.js',
  globalTeardown: '<rootDir>/test/setup/global-teardown.js',
};
