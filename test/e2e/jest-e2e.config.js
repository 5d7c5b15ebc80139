/** E2E specs: the whole application over HTTP, on in-memory PGlite or (DATABASE_URL) PostgreSQL. */
const { availableParallelism } = require('node:os');
const swc = require('../swc-jest-transform');

/**
 * Files run in parallel workers. Every app has a database of its own (in-memory PGlite; on
 * PostgreSQL a fresh database per app), its own DATA_DIR, ports reserved until it listens
 * (`createTestApp({ listen: true })`) and, where a spec shares Redis, a key prefix of its own.
 * Two workers even on a 2-core machine: much of a spec's time is waiting (bcrypt in libuv's pool,
 * sockets, PostgreSQL). E2E_WORKERS overrides; `--runInBand` still runs one file after another.
 */
const workers = Number(process.env.E2E_WORKERS) || Math.min(4, Math.max(2, availableParallelism() - 1));

module.exports = {
  rootDir: '../..',
  roots: ['<rootDir>/test'],
  testRegex: '\\.e2e-spec\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json', 'mjs', 'cjs'],
  transform: swc.transform,
  transformIgnorePatterns: swc.transformIgnorePatterns,
  moduleNameMapper: { '^src/(.*)$': '<rootDir>/src/$1', '^test/(.*)$': '<rootDir>/test/$1' },
  testEnvironment: 'node',
  testTimeout: 60000,
  maxWorkers: workers,
  globalSetup: '<rootDir>/test/e2e/global-setup.ts',
  globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
};
