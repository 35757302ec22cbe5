/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The rehearsal's scenario suite (every scenario of the examples through the stand-in AWS, minutes
  // of real AWS CLI calls) runs with `npm run test:rehearsal`; its table of known findings still
  // names findings fixed since (see test/rehearsal/README.md). Its stand-in and expression tests run here.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/rehearsal/rehearsal\\.test\\.ts$'],
  // Type checking happens once in `npm run typecheck`; here ts-jest only transpiles (isolatedModules).
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Leave a core free on 2-core machines.
  maxWorkers: '50%',
  // Built once per run and shared by the suites: gantry's source transpiled for child processes,
  // and the generated tree of every example and test spec (test/setup/global-setup.js).
  globalSetup: '<rootDir>/test/setup/global-setup.js',
  globalTeardown: '<rootDir>/test/setup/global-teardown.js',
};
