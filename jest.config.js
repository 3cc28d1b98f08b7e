/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The cluster suite builds and runs a production-shaped cluster for minutes: its own run
  // (`npm run test:cluster`, jest.cluster.config.js; a stage of its own in .ci/run).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Integration suites start a real Temporal dev server and HTTP servers; give them room.
  testTimeout: 60_000,
  // Two cores: more workers only thrash the Temporal servers the suites start.
  maxWorkers: 2,
};
