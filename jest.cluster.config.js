// The suites that run against a real Temporal server (temporal-server, not the dev server): built
// once by `node scripts/ensure-temporal-server.mjs`; run by .ci/run as a stage of their own.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = { ...base, testMatch: ['<rootDir>/test/cluster/**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/'], maxWorkers: 1 };
