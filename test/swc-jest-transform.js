/** One @swc/jest transform for every jest config: TypeScript with decorator metadata, compiled to CommonJS. */
const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
};

module.exports = {
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', swcOptions] },
  // jose 6 ships ES modules only; let swc turn it into CommonJS for jest's module registry.
  transformIgnorePatterns: ['/node_modules/(?!(jose|oauth4webapi)/)'],
};
