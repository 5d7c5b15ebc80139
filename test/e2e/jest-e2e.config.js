/** E2E specs: the whole application over HTTP, on in-memory PGlite or (DATABASE_URL) PostgreSQL. */
const swc = require('../swc-jest-transform');

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
  globalSetup: '<rootDir>/test/e2e/global-setup.ts',
};
