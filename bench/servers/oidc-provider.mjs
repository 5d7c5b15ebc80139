// Peer: panva/oidc-provider, one confidential client (client_secret_basic), client_credentials and
// introspection, ES256 JWT access tokens for the resource `${ISSUER}/jwt` (resource indicators),
// opaque ones for `/opaque`. Its default in-memory adapter: no database at all.
import Provider, { errors } from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';

const port = Number(process.env.PORT ?? 3104);
const issuer = `http://127.0.0.1:${port}`;
const key = await generateKeyPair('ES256', { extractable: true });
const resources = {
  'https://rs.example/jwt': { accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } },
  'https://rs.example/opaque': { accessTokenFormat: 'opaque' },
};
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'peer-client',
      client_secret: 'peer-client-secret-0123456789abcdef',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'read',
      id_token_signed_response_alg: 'ES256',
    },
  ],
  jwks: { keys: [{ ...(await exportJWK(key.privateKey)), kid: 'es256', alg: 'ES256', use: 'sig' }] },
  scopes: ['read'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => oneOf,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, resource) => {
        const info = resources[resource];
        if (!info) throw new errors.InvalidTarget();
        return { scope: 'read', audience: resource, accessTokenTTL: 3600, ...info };
      },
    },
  },
});
provider.listen(port, '127.0.0.1', () => console.log('ready'));
