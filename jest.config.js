/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // `npm test` is the edit loop (under two minutes on two cores): these suites run the generated
  // scripts with the real AWS CLI against stand-ins, or pack and install gantry, and run in
  // `npm run test:all` (jest.all.config.js), which CI runs.
  testPathIgnorePatterns: ['/node_modules/', '/test/rehearsal/', '/test/workflow-scripts\\.test\\.ts$', '/test/stacksets-deploy-script\\.test\\.ts$',
    '/test/failover-script\\.test\\.ts$', '/test/install\\.test\\.ts$'],
  // The deploy rehearsal's sources run two at a time (test/rehearsal/rehearsal.test.ts).
  maxConcurrency: 2,
  // Type checking happens once in `npm run typecheck`; here ts-jest only transpiles (isolatedModules).
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Two workers: on two cores the suites' child processes (bash, the AWS CLI, validators) wait on
  // each other often enough that a second worker finishes sooner (npm test: 84 s against about 200 s).
  maxWorkers: 2,
  // Built once per run and shared by the suites: gantry's source transpiled for child processes,
  // and the generated tree of every example and test spec (test/setup/global-setup.js).
  globalSetup: '<rootDir>/test/setup/global-setup.js',
  globalTeardown: '<rootDir>/test/setup/global-teardown.js',
};
