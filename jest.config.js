/** Unit specs: next to the code under src/. */
const swc = require('./test/swc-jest-transform');

module.exports = {
  rootDir: '.',
  roots: ['<rootDir>/src'],
  testRegex: '\\.spec\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json', 'mjs', 'cjs'],
  transform: swc.transform,
  transformIgnorePatterns: swc.transformIgnorePatterns,
  moduleNameMapper: { '^src/(.*)$': '<rootDir>/src/$1' },
  testEnvironment: 'node',
};
