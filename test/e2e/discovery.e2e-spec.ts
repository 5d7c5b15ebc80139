import { SigningKeysService } from 'src/tokens/keys/signing-keys.service';
import request from 'supertest';
import { createTestApp, TestApp } from './create-test-app';

describe('Discovery documents (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('should serve RFC 8414 metadata whose issuer is byte-identical to ISSUER', async () => {
    const res = await request(t.http).get('/.well-known/oauth-authorization-server').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const issuer = t.config.issuer;
    expect(res.body).toMatchObject({
      issuer,
      authorization_endpoint: `${issuer}/oauth/authorize`,
      token_endpoint: `${issuer}/oauth/token`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(res.body.grant_types_supported).toContain('authorization_code');
    expect(res.body.scopes_supported).toEqual(expect.arrayContaining(['read', 'write']));
  });

  it('should serve every endpoint it advertises', async () => {
    const meta = (await request(t.http).get('/.well-known/oauth-authorization-server')).body;
    for (const key of Object.keys(meta).filter((k) => k.endsWith('_endpoint') || k === 'jwks_uri')) {
      const path = new URL(meta[key]).pathname;
      const get = await request(t.http).get(path);
      const post = await request(t.http).post(path).type('form').send({});
      expect([get.status, post.status]).not.toEqual([404, 404]);
    }
  });

  it('should serve an OpenID configuration with the same issuer that advertises only what the server does', async () => {
    const res = await request(t.http).get('/.well-known/openid-configuration').expect(200);
    const rfc8414 = (await request(t.http).get('/.well-known/oauth-authorization-server')).body;
    expect(res.body).toEqual({
      ...rfc8414,
      userinfo_endpoint: `${t.config.issuer}/userinfo`,
      subject_types_supported: ['public'],
    });
    // No ID token is ever issued: no id_token field, no response type or scope that would yield one.
    expect(Object.keys(res.body).filter((k) => /id_token/.test(k))).toEqual([]);
    expect(res.body.response_types_supported).toEqual(['code']);
    expect(res.body.scopes_supported).not.toContain('openid');
    await request(t.http).get('/userinfo').expect(401);
  });

  it('should publish a non-empty JWKS from the first request on, and never an empty one', async () => {
    // A fresh server: no token signed yet, the active and the next key are already published.
    const res = await request(t.http).get('/.well-known/jwks.json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/jwk-set\+json/);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.body.keys).toHaveLength(2);
    for (const key of res.body.keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key.d).toBeUndefined();
    }
    // Even with every key gone (an operator's mistake), the set is rebuilt, not served empty.
    await t.dataSource.query(`DELETE FROM signing_keys`);
    t.app.get(SigningKeysService).invalidate();
    const again = await request(t.http).get('/.well-known/jwks.json').expect(200);
    expect(again.body.keys).toHaveLength(2);
    expect(again.body.keys.map((k: { kid: string }) => k.kid)).not.toEqual(
      res.body.keys.map((k: { kid: string }) => k.kid),
    );
  });

  it('should serve protected resource metadata at the path-inserted and the root URL (RFC 9728)', async () => {
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const res = await request(t.http).get(path).expect(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.body).toEqual({
        resource: t.config.mcp.resource,
        authorization_servers: [t.config.issuer],
        // MCP 2026-07-28: never offline_access in the PRM (nor in a challenge's scope).
        scopes_supported: ['read', 'write'],
        bearer_methods_supported: ['header'],
        resource_name: 'MCP OAuth Server',
      });
    }
  });

  it('should answer CORS preflights for metadata and token endpoints but not for /authorize', async () => {
    const pre = await request(t.http)
      .options('/oauth/token')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'POST');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    const authorize = await request(t.http).get('/oauth/authorize').set('Origin', 'https://app.example.com');
    expect(authorize.headers['access-control-allow-origin']).toBeUndefined();
  });
});
