/** Unit specs: next to the code under src/. */
const { availableParallelism } = require('node:os');
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
  // jest's default (cores - 1) is one worker on a 2-core machine.
  maxWorkers: Number(process.env.UNIT_WORKERS) || Math.max(2, availableParallelism() - 1),
};
