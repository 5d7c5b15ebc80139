/**
 * The one swc configuration for compiling the TypeScript sources outside jest: `scripts/build.mjs`
 * (src/ → dist/) and `scripts/register-ts.cjs` (the TypeORM CLI loading ormconfig.ts). Decorators and
 * decorator metadata on (Nest's dependency injection reads them), CommonJS out, and the `src/*` import
 * alias of tsconfig.json rewritten into relative paths so the output runs with plain `node`.
 */
const { join } = require('node:path');

const ROOT = join(__dirname, '..');

function swcOptions(filename, sourceMaps) {
  return {
    filename,
    sourceMaps,
    swcrc: false,
    configFile: false,
    jsc: {
      parser: { syntax: 'typescript', decorators: true, dynamicImport: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
      baseUrl: ROOT,
      paths: { 'src/*': ['./src/*'] },
    },
    module: { type: 'commonjs' },
  };
}

module.exports = { ROOT, swcOptions };
