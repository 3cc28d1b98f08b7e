/** @type {import('jest').Config} */
// test/cluster/: the production-shaped cluster (scripts/cluster.ts) under load and faults. One suite at a
// time (it runs 3 workers, 2 ingresses, PostgreSQL and the Temporal server on two cores).
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testPathIgnorePatterns: ['/node_modules/'],
  testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
  testTimeout: 900_000,
  maxWorkers: 1,
};
