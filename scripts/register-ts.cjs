/**
 * `node -r ./scripts/register-ts.cjs …`: lets Node require the TypeScript sources directly (compiled
 * in memory by @swc/core, with the `src/*` alias resolved). Used by the TypeORM CLI scripts
 * (`npm run migration:*`) to load ormconfig.ts.
 */
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');
const { swcOptions } = require('./swc-options.cjs');

require.extensions['.ts'] = function compileTs(module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), swcOptions(filename, 'inline'));
  module._compile(code, filename);
};
