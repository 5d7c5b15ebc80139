import { sha256Hex } from 'src/common/hashing';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { Clock } from 'src/common/clock';
import { basic, insertClient } from '../factories/client.factory';
import { MutableClock } from '../fakes/mutable-clock';
import { authorizeAsUser, demoBasic, exchangeCode } from '../support/browser';
import { createTestApp, TestApp } from './create-test-app';

describe('Token lifecycle: refresh, client credentials, revocation, introspection (e2e)', () => {
  let t: TestApp;
  const clock = new MutableClock();
  afterEach(() => clock.reset());
  const form = (path: string, body: Record<string, string>, auth = demoBasic()) =>
    request(t.http).post(path).set('Authorization', auth).type('form').send(body);
  const refresh = (refreshToken: string, extra: Record<string, string> = {}, auth?: string) =>
    form('/oauth/token', { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }, auth);
  const introspect = async (token: string, auth?: string) => (await form('/oauth/introspect', { token }, auth)).body;
  const tokens = async (overrides = {}) => {
    const { code, verifier } = await authorizeAsUser(t.http, overrides);
    return (await exchangeCode(t.http, code, verifier).expect(200)).body;
  };

  beforeAll(async () => {
    t = await createTestApp({ override: (b) => b.overrideProvider(Clock).useValue(clock) });
  });
  afterAll(() => t.close());

  describe('refresh_token', () => {
    it('should rotate: a new refresh token and a new access token each time', async () => {
      const first = await tokens();
      const second = (await refresh(first.refresh_token).expect(200)).body;
      expect(second.refresh_token).toMatch(/^mcprt_/);
      expect(second.refresh_token).not.toBe(first.refresh_token);
      expect(second.access_token).not.toBe(first.access_token);
      expect(second.scope).toBe('read write');
      const third = (await refresh(second.refresh_token).expect(200)).body;
      expect(third.refresh_token).not.toBe(second.refresh_token);
      const rows = await t.dataSource.query(
        `SELECT token_hash, parent_hash, replaced_by_hash, used_at FROM refresh_tokens
          WHERE grant_id = (SELECT grant_id FROM access_tokens WHERE jti = $1) ORDER BY created_at`,
        [decodeJwt(first.access_token).jti],
      );
      expect(rows).toHaveLength(3);
      expect(rows[1].parent_hash).toBe(rows[0].token_hash);
      expect(rows[0].replaced_by_hash).toBe(rows[1].token_hash);
      expect(rows[2].used_at).toBeNull();
    });

    it('should return the same successor for the previous token inside the grace window', async () => {
      const first = await tokens();
      const a = (await refresh(first.refresh_token).expect(200)).body;
      const b = (await refresh(first.refresh_token).expect(200)).body;
      expect(b.refresh_token).toBe(a.refresh_token);
      expect(b.access_token).not.toBe(a.access_token);
      expect((await introspect(b.access_token)).active).toBe(true);
      // The successor still works afterwards: the family was not revoked.
      expect((await refresh(a.refresh_token)).status).toBe(200);
    });

    it('should treat reuse after the grace window as a replay and kill the whole family', async () => {
      const first = await tokens();
      const second = (await refresh(first.refresh_token).expect(200)).body;
      clock.advance(61);
      try {
        const replay = await refresh(first.refresh_token);
        expect(replay.status).toBe(400);
        expect(replay.body).toEqual({ error: 'invalid_grant', error_description: 'refresh token was already used' });
      } finally {
        clock.advance(-61);
      }
      for (const token of [first.access_token, second.access_token, second.refresh_token]) {
        expect(await introspect(token)).toEqual({ active: false });
      }
      expect((await refresh(second.refresh_token)).body.error).toBe('invalid_grant');
      const [grant] = await t.dataSource.query('SELECT revoked_reason FROM grants g JOIN access_tokens a ON a.grant_id = g.id WHERE a.jti = $1', [
        decodeJwt(first.access_token).jti,
      ]);
      expect(grant.revoked_reason).toBe('refresh_replay');
    });

    it('should treat reuse after the successor was used as a replay', async () => {
      const first = await tokens();
      const second = (await refresh(first.refresh_token).expect(200)).body;
      await refresh(second.refresh_token).expect(200);
      const replay = await refresh(first.refresh_token);
      expect(replay.body.error).toBe('invalid_grant');
      expect((await introspect(second.access_token)).active).toBe(false);
    });

    it('should let parallel refreshes of one token share one successor without revoking the family', async () => {
      const first = await tokens();
      const results = await Promise.all(Array.from({ length: 8 }, () => refresh(first.refresh_token)));
      expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
      const successors = new Set(results.map((r) => r.body.refresh_token));
      expect(successors.size).toBe(1);
      const [successor] = [...successors];
      expect((await introspect(successor)).active).toBe(true);
      expect((await refresh(successor)).status).toBe(200);
    });

    it('should rotate many families refreshed at once, each token twice, with exactly one successor per token', async () => {
      const families = await Promise.all(Array.from({ length: 5 }, () => tokens()));
      // Each token twice, all at once: rotations arriving together share a statement, duplicates included.
      const presented = [...families, ...families].map((f) => f.refresh_token);
      const results = await Promise.all(presented.map((rt) => refresh(rt)));
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
      families.forEach((f, i) => expect(results[i].body.refresh_token).toBe(results[i + 5].body.refresh_token));
      expect(new Set(results.map((r) => r.body.refresh_token)).size).toBe(5);
      const rows = await t.dataSource.query(
        `SELECT p.token_hash, count(s.token_hash)::int AS successors FROM refresh_tokens p
           LEFT JOIN refresh_tokens s ON s.parent_hash = p.token_hash
          WHERE p.token_hash = ANY($1) GROUP BY p.token_hash`,
        [families.map((f) => sha256Hex(f.refresh_token))],
      );
      expect(rows.map((r: { successors: number }) => r.successors)).toEqual(Array(5).fill(1));
      for (const r of results.slice(0, 5)) expect((await refresh(r.body.refresh_token)).status).toBe(200);
    });

    it('should bind the token to its client, allow only narrower scope, and keep the resource', async () => {
      const first = await tokens();
      const other = await insertClient(t.dataSource);
      const foreign = await refresh(first.refresh_token, {}, basic(other.clientId, other.clientSecret!));
      expect(foreign.body).toEqual({ error: 'invalid_grant', error_description: 'refresh token was issued to another client' });
      const broader = await refresh(first.refresh_token, { scope: 'read write admin' });
      expect(broader.body.error).toBe('invalid_scope');
      const target = await refresh(first.refresh_token, { resource: 'https://other.example.com/mcp' });
      expect(target.body.error).toBe('invalid_target');
      const narrower = (await refresh(first.refresh_token, { scope: 'read' }).expect(200)).body;
      expect(narrower.scope).toBe('read');
      expect(decodeJwt(narrower.access_token).scope).toBe('read');
    });

    it('should issue rotating refresh tokens to public clients too', async () => {
      const pub = await insertClient(t.dataSource, {
        tokenEndpointAuthMethod: 'none',
        redirectUris: ['http://127.0.0.1/cb'],
      });
      const { code, verifier } = await authorizeAsUser(t.http, {
        client_id: pub.clientId,
        redirect_uri: 'http://127.0.0.1:5555/cb',
      });
      const issued = await request(t.http)
        .post('/token')
        .type('form')
        .send({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: 'http://127.0.0.1:5555/cb', client_id: pub.clientId })
        .expect(200);
      const rotated = await request(t.http)
        .post('/token')
        .type('form')
        .send({ grant_type: 'refresh_token', refresh_token: issued.body.refresh_token, client_id: pub.clientId })
        .expect(200);
      expect(rotated.body.refresh_token).not.toBe(issued.body.refresh_token);
    });

    it('should never let a refresh token outlive its grant', async () => {
      const first = await tokens();
      clock.advance(t.config.ttl.refreshToken + 1);
      try {
        expect((await refresh(first.refresh_token)).body).toEqual({ error: 'invalid_grant', error_description: 'refresh token expired' });
      } finally {
        clock.advance(-(t.config.ttl.refreshToken + 1));
      }
    });
  });

  describe('client_credentials', () => {
    it('should issue an access token for the client itself, without a refresh token', async () => {
      const res = await form('/oauth/token', { grant_type: 'client_credentials', scope: 'read' }).expect(200);
      expect(res.body.refresh_token).toBeUndefined();
      expect(res.body.scope).toBe('read');
      const claims = decodeJwt(res.body.access_token);
      expect(claims).toMatchObject({ sub: 'demo_client', client_id: 'demo_client', aud: t.config.mcp.resource });
    });

    it('should refuse scopes beyond the client and clients without the grant', async () => {
      expect((await form('/oauth/token', { grant_type: 'client_credentials', scope: 'admin' })).body.error).toBe('invalid_scope');
      const codeOnly = await insertClient(t.dataSource, { grantTypes: ['authorization_code'] });
      const res = await form('/oauth/token', { grant_type: 'client_credentials' }, basic(codeOnly.clientId, codeOnly.clientSecret!));
      expect(res.body.error).toBe('unauthorized_client');
    });
  });

  describe('revocation (RFC 7009)', () => {
    it('should revoke an access token, with or without a hint', async () => {
      const issued = await tokens();
      const res = await form('/oauth/revoke', { token: issued.access_token, token_type_hint: 'access_token' }).expect(200);
      expect(res.text).toBe('');
      expect(await introspect(issued.access_token)).toEqual({ active: false });
      expect((await introspect(issued.refresh_token)).active).toBe(true);
    });

    it('should revoke a refresh token and every access token of its grant', async () => {
      const issued = await tokens();
      await form('/oauth/revoke', { token: issued.refresh_token, token_type_hint: 'unknown_hint' }).expect(200);
      expect(await introspect(issued.refresh_token)).toEqual({ active: false });
      expect(await introspect(issued.access_token)).toEqual({ active: false });
    });

    it('should answer 200 for unknown tokens and leave other clients\' tokens alone', async () => {
      await form('/oauth/revoke', { token: 'garbage' }).expect(200);
      const issued = await tokens();
      const other = await insertClient(t.dataSource);
      await form('/oauth/revoke', { token: issued.access_token }, basic(other.clientId, other.clientSecret!)).expect(200);
      await form('/oauth/revoke', { token: issued.refresh_token }, basic(other.clientId, other.clientSecret!)).expect(200);
      expect((await introspect(issued.access_token)).active).toBe(true);
      expect((await introspect(issued.refresh_token)).active).toBe(true);
    });

    it('should require client authentication and the token parameter', async () => {
      const anon = await request(t.http).post('/oauth/revoke').type('form').send({ token: 'x' });
      expect(anon.status).toBe(401);
      expect(anon.body.error).toBe('invalid_client');
      expect((await form('/oauth/revoke', {})).body).toEqual({ error: 'invalid_request', error_description: 'token is required' });
    });
  });

  describe('introspection (RFC 7662)', () => {
    it('should describe an active access token', async () => {
      const issued = await tokens();
      const info = await introspect(issued.access_token);
      const claims = decodeJwt(issued.access_token);
      expect(info).toEqual({
        active: true,
        scope: 'read write',
        client_id: 'demo_client',
        username: 'demo_user',
        sub: claims.sub,
        aud: t.config.mcp.resource,
        iss: t.config.issuer,
        exp: claims.exp,
        iat: claims.iat,
        token_type: 'Bearer',
        jti: claims.jti,
      });
    });

    it('should describe an active refresh token', async () => {
      const issued = await tokens();
      expect(await introspect(issued.refresh_token)).toMatchObject({
        active: true,
        token_type: 'refresh_token',
        client_id: 'demo_client',
        username: 'demo_user',
      });
    });

    it('should answer only {active:false} for garbage, expired and foreign tokens', async () => {
      expect(await introspect('garbage')).toEqual({ active: false });
      expect(await introspect('mcprt_unknown')).toEqual({ active: false });
      const issued = await tokens();
      const other = await insertClient(t.dataSource);
      expect(await introspect(issued.access_token, basic(other.clientId, other.clientSecret!))).toEqual({ active: false });
      clock.advance(3601);
      try {
        expect(await introspect(issued.access_token)).toEqual({ active: false });
      } finally {
        clock.advance(-3601);
      }
    });

    it('should refuse unauthenticated and public callers', async () => {
      const anon = await request(t.http).post('/oauth/introspect').type('form').send({ token: 'x' });
      expect(anon.status).toBe(401);
      const pub = await insertClient(t.dataSource, { tokenEndpointAuthMethod: 'none' });
      const res = await request(t.http).post('/oauth/introspect').type('form').send({ token: 'x', client_id: pub.clientId });
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
    });
  });
});

describe('GET|POST /userinfo (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('should return claims by scope for a valid access token in the header', async () => {
    const app = await insertClient(t.dataSource, {
      scope: ['read', 'profile', 'email'],
      redirectUris: ['https://id.example.com/cb'],
    });
    const { code, verifier } = await authorizeAsUser(t.http, {
      client_id: app.clientId,
      redirect_uri: app.redirectUris[0],
      scope: 'read profile email',
    });
    const issued = await request(t.http)
      .post('/oauth/token')
      .set('Authorization', basic(app.clientId, app.clientSecret!))
      .type('form')
      .send({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: app.redirectUris[0] })
      .expect(200);
    const sub = decodeJwt(issued.body.access_token).sub;
    const get = await request(t.http).get('/userinfo').set('Authorization', `Bearer ${issued.body.access_token}`).expect(200);
    expect(get.body).toEqual({ sub, preferred_username: 'demo_user', name: 'Demo User', email: 'demo@example.com' });
    const post = await request(t.http).post('/userinfo').set('Authorization', `Bearer ${issued.body.access_token}`).expect(200);
    expect(post.body).toEqual(get.body);
  });

  it('should return only sub without profile or email scope', async () => {
    const { code, verifier } = await authorizeAsUser(t.http, { scope: 'read' });
    const issued = await exchangeCode(t.http, code, verifier).expect(200);
    const res = await request(t.http).get('/userinfo').set('Authorization', `Bearer ${issued.body.access_token}`).expect(200);
    expect(Object.keys(res.body)).toEqual(['sub']);
  });

  it('should refuse a bad token with a challenge and ignore tokens in the query string', async () => {
    const bad = await request(t.http).get('/userinfo').set('Authorization', 'Bearer not-a-token');
    expect(bad.status).toBe(401);
    expect(bad.headers['www-authenticate']).toMatch(/^Bearer .*error="invalid_token"/);
    const { code, verifier } = await authorizeAsUser(t.http, { scope: 'read' });
    const issued = await exchangeCode(t.http, code, verifier).expect(200);
    const query = await request(t.http).get(`/userinfo?access_token=${issued.body.access_token}`);
    expect(query.status).toBe(401);
    expect(query.headers['www-authenticate']).not.toMatch(/error=/);
  });
});
