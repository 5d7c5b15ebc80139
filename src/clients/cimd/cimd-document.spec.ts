import { validateCimdDocument } from './cimd-document';
import { CimdError } from './cimd-error';

const URL_ID = 'https://app.example.com/oauth/client.json';
const policy = {
  allowCustomSchemes: true,
  namedCustomSchemes: ['cursor'],
  allowedScopes: ['read', 'write'],
};
const doc = (extra: Record<string, unknown> = {}) => ({
  client_id: URL_ID,
  client_name: 'Example App',
  redirect_uris: ['http://127.0.0.1:3000/callback'],
  ...extra,
});
const reason = (body: unknown): string => {
  try {
    validateCimdDocument(body, URL_ID, policy);
  } catch (err) {
    if (err instanceof CimdError) return err.reason;
    throw err;
  }
  throw new Error('expected a rejection');
};

describe(validateCimdDocument.name, () => {
  it('should make a public client of a minimal document', () => {
    expect(validateCimdDocument(doc(), URL_ID, policy)).toEqual({
      redirectUris: ['http://127.0.0.1:3000/callback'],
      tokenEndpointAuthMethod: 'none',
      grantTypes: ['authorization_code', 'refresh_token'],
      responseTypes: ['code'],
      applicationType: 'native',
      clientName: 'Example App',
      scope: ['read', 'write'],
      metadata: {},
    });
  });

  it('should accept a document that prefers private_key_jwt but offers none', () => {
    const sut = validateCimdDocument(
      doc({
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_methods_supported: ['private_key_jwt', 'none'],
        jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] },
      }),
      URL_ID,
      policy,
    );
    expect(sut.tokenEndpointAuthMethod).toBe('none');
  });

  it('should narrow grant types to the code flow and refresh, and keep descriptive fields', () => {
    const sut = validateCimdDocument(
      doc({
        grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
        client_uri: 'https://app.example.com',
        scope: 'read admin',
      }),
      URL_ID,
      policy,
    );
    expect(sut).toMatchObject({
      grantTypes: ['authorization_code'],
      scope: ['read'],
      metadata: { client_uri: 'https://app.example.com' },
    });
  });

  it.each([
    [[], 'client metadata must be a json object'],
    ['text', 'client metadata must be a json object'],
    [
      doc({ client_id: 'https://app.example.com/other.json' }),
      'client_id does not match the document url',
    ],
    [doc({ client_id: `${URL_ID}/` }), 'client_id does not match the document url'],
    [doc({ client_id: undefined }), 'client_id does not match the document url'],
    [doc({ client_name: undefined }), 'client_name is required'],
    [doc({ client_name: '  ' }), 'client_name must not be empty'],
    [doc({ redirect_uris: undefined }), 'redirect_uris is required'],
    [doc({ redirect_uris: [] }), 'redirect_uris must not be empty'],
    [
      doc({ redirect_uris: ['http://evil.example/cb'] }),
      'redirect_uris[0] may use http only on a loopback host',
    ],
    [doc({ client_secret: 'shh' }), 'document must not contain a client secret'],
    [doc({ client_secret_expires_at: 0 }), 'document must not contain a client secret'],
    [
      doc({ jwks: { keys: [{ kty: 'EC', d: 'private' }] } }),
      'document must not contain private keys',
    ],
    [
      doc({ jwks: { keys: [{ kty: 'oct', k: 'symmetric' }] } }),
      'document must not contain private keys',
    ],
    [doc({ jwks: 'not-a-set' }), 'jwks must be a jwk set'],
    [
      doc({ token_endpoint_auth_method: 'client_secret_basic' }),
      'client secret authentication is not possible with a metadata document',
    ],
    [
      doc({ token_endpoint_auth_method: 'private_key_jwt' }),
      'token_endpoint_auth_method must be none',
    ],
    [
      doc({ token_endpoint_auth_methods_supported: ['private_key_jwt'] }),
      'token_endpoint_auth_method none is not offered',
    ],
    [doc({ grant_types: ['client_credentials'] }), 'grant_types must include authorization_code'],
    [doc({ response_types: ['token'] }), 'response_types must include code'],
  ])('should reject %j: %s', (body, expected) => {
    expect(reason(body)).toBe(expected);
  });
});
