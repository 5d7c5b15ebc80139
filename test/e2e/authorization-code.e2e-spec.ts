import { decodeJwt, decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { DEMO_CLIENT } from 'src/seed/demo-data';
import { authorizeAsUser, exchangeCode } from '../support/browser';
import { createTestApp, TestApp } from './create-test-app';

describe('Authorization code flow with PKCE (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('should take a person through login and consent and give the app tokens', async () => {
    const { code, verifier, redirect } = await authorizeAsUser(t.http);
    expect(redirect.origin + redirect.pathname).toBe(DEMO_CLIENT.redirectUris[0]);
    expect(redirect.searchParams.get('state')).toBe('xyz');
    expect(redirect.searchParams.get('iss')).toBe(t.config.issuer);
    expect(code).toMatch(/^mcpac_[A-Za-z0-9_-]{43}$/);

    const res = await exchangeCode(t.http, code, verifier).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['pragma']).toBe('no-cache');
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'read write',
      refresh_token: expect.stringMatching(/^mcprt_[A-Za-z0-9_-]{43}$/),
    });
    const header = decodeProtectedHeader(res.body.access_token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
    const claims = decodeJwt(res.body.access_token);
    expect(claims).toMatchObject({
      iss: t.config.issuer,
      aud: t.config.mcp.resource,
      client_id: 'demo_client',
      scope: 'read write',
      sub: expect.any(String),
      jti: expect.any(String),
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    const [row] = await t.dataSource.query('SELECT * FROM access_tokens WHERE jti = $1', [claims.jti]);
    expect(row).toMatchObject({ client_id: 'demo_client', revoked: false, resource: t.config.mcp.resource });
  });

  it('should publish the signing key in the JWKS', async () => {
    const res = await request(t.http).get('/.well-known/jwks.json').expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(res.body.keys[0].d).toBeUndefined();
  });
});
