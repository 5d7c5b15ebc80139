import { OAuthError } from 'src/oauth/errors/oauth.error';
import { DEFAULT_CLIENT_NAME, validateRegistrationMetadata } from './client-metadata';

const policy = {
  allowCustomSchemes: true,
  namedCustomSchemes: ['cursor'],
  allowedScopes: ['read', 'write'],
};
const validate = (body: Record<string, unknown>) =>
  validateRegistrationMetadata({ redirect_uris: ['https://app.example.com/cb'], ...body }, policy);
const rejection = (body: unknown): { code: string; description?: string } => {
  try {
    validateRegistrationMetadata(body, policy);
  } catch (err) {
    if (err instanceof OAuthError) return { code: err.code, description: err.description };
    throw err;
  }
  throw new Error('expected a rejection');
};

describe(validateRegistrationMetadata.name, () => {
  it('should apply the RFC 7591 defaults to a minimal request', () => {
    expect(validate({})).toEqual({
      redirectUris: ['https://app.example.com/cb'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      grantTypes: ['authorization_code', 'refresh_token'],
      responseTypes: ['code'],
      applicationType: 'web',
      clientName: DEFAULT_CLIENT_NAME,
      scope: ['read', 'write'],
      metadata: {},
    });
  });

  it('should accept what VS Code sends and call it native', () => {
    const sut = validateRegistrationMetadata(
      {
        client_name: 'Visual Studio Code',
        client_uri: 'https://code.visualstudio.com',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [
          'https://insiders.vscode.dev/redirect',
          'https://vscode.dev/redirect',
          'http://127.0.0.1/',
          'http://127.0.0.1:33418/',
        ],
        token_endpoint_auth_method: 'none',
        application_type: 'native',
      },
      policy,
    );
    expect(sut).toMatchObject({ tokenEndpointAuthMethod: 'none', applicationType: 'native' });
    expect(sut.metadata).toEqual({ client_uri: 'https://code.visualstudio.com' });
  });

  it('should default application_type to native when every redirect URI is loopback or a private-use scheme', () => {
    expect(
      validate({ redirect_uris: ['http://localhost:3000/cb', 'cursor://a.b/cb'] }).applicationType,
    ).toBe('native');
    expect(
      validate({ redirect_uris: ['http://localhost:3000/cb', 'https://a.example/cb'] })
        .applicationType,
    ).toBe('web');
  });

  it('should keep only the known descriptive fields and ignore the rest', () => {
    const sut = validate({
      client_uri: 'https://app.example.com',
      logo_uri: 'https://app.example.com/logo.png',
      tos_uri: 'https://app.example.com/tos',
      policy_uri: 'https://app.example.com/privacy',
      contacts: ['ops@example.com'],
      software_id: 'com.example.app',
      software_version: '1.2.3',
      jwks_uri: 'https://app.example.com/jwks',
      client_id: 'i-choose-my-id',
      client_secret: 'and-my-secret',
      x_custom: { anything: true },
    });
    expect(sut.metadata).toEqual({
      client_uri: 'https://app.example.com',
      logo_uri: 'https://app.example.com/logo.png',
      tos_uri: 'https://app.example.com/tos',
      policy_uri: 'https://app.example.com/privacy',
      contacts: ['ops@example.com'],
      software_id: 'com.example.app',
      software_version: '1.2.3',
    });
  });

  it('should drop scopes outside the allowed set, offline_access included, and fall back to the allowed set', () => {
    expect(validate({ scope: 'read admin offline_access' }).scope).toEqual(['read']);
    expect(validate({ scope: 'admin' }).scope).toEqual(['read', 'write']);
    expect(validate({ scope: '' }).scope).toEqual(['read', 'write']);
  });

  it('should trim the client name and accept unicode', () => {
    expect(validate({ client_name: '  Clé 日本語 🚀  ' }).clientName).toBe('Clé 日本語 🚀');
    expect(validate({ client_name: '   ' }).clientName).toBe(DEFAULT_CLIENT_NAME);
    expect(validate({ client_name: 'é'.repeat(200) }).clientName).toHaveLength(200);
  });

  it('should refuse client_credentials in any combination (issue 12 item 2: machine clients are an administrator’s)', () => {
    for (const grant_types of [['client_credentials'], ['authorization_code', 'refresh_token', 'client_credentials']]) {
      expect(() => validateRegistrationMetadata({ redirect_uris: ['https://app.example.com/cb'], grant_types }, policy)).toThrow(
        /client_credentials is not available through registration/,
      );
    }
  });

  it.each([
    [{}, 'invalid_redirect_uri', 'redirect_uris is required'],
    [{ redirect_uris: [] }, 'invalid_redirect_uri', 'redirect_uris must not be empty'],
    [
      { redirect_uris: 'https://a.example/cb' },
      'invalid_redirect_uri',
      'redirect_uris must be an array of strings',
    ],
    [{ redirect_uris: [42] }, 'invalid_redirect_uri', 'redirect_uris must be an array of strings'],
    [
      { redirect_uris: ['https://a.example/cb', 'http://evil.example/cb'] },
      'invalid_redirect_uri',
      'redirect_uris[1] may use http only on a loopback host',
    ],
    [
      { redirect_uris: ['javascript:alert(1)'] },
      'invalid_redirect_uri',
      'redirect_uris[0] must not use the javascript scheme',
    ],
    [
      { redirect_uris: ['cursor://a.b/cb'], application_type: 'web' },
      'invalid_redirect_uri',
      'redirect_uris[0] uses a private-use uri scheme, which requires application_type native',
    ],
    [
      { redirect_uris: Array.from({ length: 21 }, (_, i) => `https://a.example/${i}`) },
      'invalid_redirect_uri',
      'redirect_uris may list at most 20',
    ],
  ])('should reject redirect_uris %j with %s', (body, code, description) => {
    expect(rejection(body)).toEqual({ code, description });
  });

  it.each([
    [[], 'client metadata must be a json object'],
    [null, 'client metadata must be a json object'],
    [
      { token_endpoint_auth_method: 'private_key_jwt' },
      'token_endpoint_auth_method is not supported',
    ],
    [{ token_endpoint_auth_method: 7 }, 'token_endpoint_auth_method must be a string'],
    [{ grant_types: 'authorization_code' }, 'grant_types must be an array of strings'],
    [{ grant_types: [] }, 'grant_types must not be empty'],
    [{ grant_types: ['authorization_code', 'implicit'] }, 'grant_types[1] is not supported'],
    [
      { grant_types: ['urn:ietf:params:oauth:grant-type:device_code'] },
      'grant_types[0] is not supported',
    ],
    [
      { grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' },
      'grant_types client_credentials is not available through registration; an administrator creates machine clients',
    ],
    [{ grant_types: ['refresh_token'] }, 'grant_types refresh_token requires authorization_code'],
    [{ response_types: ['token'] }, 'response_types[0] is not supported'],
    [{ response_types: ['code', 'id_token'] }, 'response_types[1] is not supported'],
    [{ response_types: [] }, 'grant_types and response_types are inconsistent'],
    [
      { grant_types: ['authorization_code'], response_types: [] },
      'grant_types and response_types are inconsistent',
    ],
    [{ application_type: 'desktop' }, 'application_type must be web or native'],
    [{ client_name: 42 }, 'client_name must be a string'],
    [{ client_name: 'x'.repeat(201) }, 'client_name must be at most 200 characters'],
    [{ client_name: 'Good\u202eevil' }, 'client_name contains control characters'],
    [{ client_name: 'line\nbreak' }, 'client_name contains control characters'],
    [{ scope: ['read'] }, 'scope must be a string'],
    [{ scope: 'read "write"' }, 'scope is malformed'],
    [{ client_uri: 'javascript:alert(1)' }, 'client_uri must be an http or https url'],
    [{ logo_uri: 42 }, 'logo_uri must be a string'],
    [{ tos_uri: 'not a url' }, 'tos_uri must be an http or https url'],
    [{ contacts: 'ops@example.com' }, 'contacts must be an array of strings'],
    [{ contacts: Array.from({ length: 11 }, () => 'a@b.c') }, 'contacts may list at most 10'],
    [{ software_id: 'x'.repeat(201) }, 'software_id is too long'],
  ])('should reject %j as invalid_client_metadata: %s', (body, description) => {
    const request =
      body && typeof body === 'object' && !Array.isArray(body)
        ? { redirect_uris: ['https://a.example/cb'], ...body }
        : body;
    expect(rejection(request)).toEqual({ code: 'invalid_client_metadata', description });
  });
});
