/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // test/cluster/ needs a real Temporal server built with Go (scripts/ensure-temporal-server.mjs):
  // a stage of its own in .ci/run, `npx jest -c jest.cluster.config.js`.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Integration suites start a real Temporal dev server and HTTP servers; give them room.
  testTimeout: 60_000,
  // Two cores: more workers only thrash the Temporal servers the suites start.
  maxWorkers: 2,
};
