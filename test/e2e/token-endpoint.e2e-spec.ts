import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { Clock } from 'src/common/clock';
import { DEMO_CLIENT } from 'src/seed/demo-data';
import { IssuedTokensRepository } from 'src/token-store/issued-tokens.repository';
import { TokenVerifier } from 'src/tokens/keys/token-verifier';
import { basic, insertClient } from '../factories/client.factory';
import { MutableClock } from '../fakes/mutable-clock';
import { authorizeAsUser, demoBasic, exchangeCode } from '../support/browser';
import { createTestApp, TestApp } from './create-test-app';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

describe('POST /oauth/token, grant_type=authorization_code (e2e)', () => {
  let t: TestApp;
  const clock = new MutableClock();
  afterEach(() => clock.reset());
  const token = (body: Record<string, string>, auth?: string) => {
    const req = request(t.http).post('/oauth/token').type('form');
    if (auth) req.set('Authorization', auth);
    return req.send(body);
  };
  const expectError = (res: request.Response, status: number, error: string, description?: string) => {
    expect({ status: res.status, error: res.body.error }).toEqual({ status, error });
    if (description) expect(res.body.error_description).toBe(description);
    expect(res.headers['cache-control']).toBe('no-store');
  };
  const verify = (accessToken: string) => t.app.get(TokenVerifier).verify(accessToken, t.config.mcp.resource);

  beforeAll(async () => {
    t = await createTestApp({ override: (b) => b.overrideProvider(Clock).useValue(clock) });
  });
  afterAll(() => t.close());

  describe('client authentication', () => {
    it('should require a form body', async () => {
      const res = await request(t.http)
        .post('/oauth/token')
        .set('Authorization', demoBasic())
        .send({ grant_type: 'authorization_code' });
      expectError(res, 400, 'invalid_request', 'content type must be application/x-www-form-urlencoded');
    });

    it('should answer an unknown client with invalid_client and a Basic challenge', async () => {
      const res = await token({ grant_type: 'authorization_code', code: 'x' }, basic('nobody', 'secret'));
      expectError(res, 401, 'invalid_client', 'client authentication failed');
      expect(res.headers['www-authenticate']).toBe(`Basic realm="${t.config.issuer}", charset="UTF-8"`);
    });

    it('should answer a wrong secret with invalid_client, without a challenge for form credentials', async () => {
      const viaHeader = await token({ grant_type: 'authorization_code', code: 'x' }, basic('demo_client', 'wrong'));
      expectError(viaHeader, 401, 'invalid_client');
      const viaForm = await token({ grant_type: 'authorization_code', code: 'x', client_id: 'demo_client', client_secret: 'wrong' });
      expectError(viaForm, 401, 'invalid_client');
      expect(viaForm.headers['www-authenticate']).toBeUndefined();
    });

    it('should refuse a confidential client that sends no secret', async () => {
      const res = await token({ grant_type: 'authorization_code', code: 'x', client_id: 'demo_client' });
      expectError(res, 401, 'invalid_client', 'client authentication required');
    });

    it('should hold a registered client to its method and a public client to none', async () => {
      const dcr = await insertClient(t.dataSource, { source: 'dcr', tokenEndpointAuthMethod: 'client_secret_post' });
      const res = await token({ grant_type: 'authorization_code', code: 'x' }, basic(dcr.clientId, dcr.clientSecret!));
      expectError(res, 401, 'invalid_client', 'client must authenticate with client_secret_post');
      const pub = await insertClient(t.dataSource, { tokenEndpointAuthMethod: 'none' });
      const withSecret = await token({ grant_type: 'authorization_code', code: 'x', client_id: pub.clientId, client_secret: 'x' });
      expectError(withSecret, 401, 'invalid_client', 'public clients authenticate with none');
    });

    it('should refuse two authentication methods at once and duplicated parameters', async () => {
      const both = await token({ grant_type: 'authorization_code', code: 'x', client_secret: 'demo_secret' }, demoBasic());
      expectError(both, 400, 'invalid_request', 'use only one client authentication method');
      const dup = await request(t.http)
        .post('/oauth/token')
        .set('Authorization', demoBasic())
        .type('form')
        .send('grant_type=authorization_code&code=a&code=b');
      expectError(dup, 400, 'invalid_request', 'code must be given once');
    });
  });

  describe('grant types', () => {
    it('should require grant_type and refuse unsupported ones', async () => {
      expectError(await token({ code: 'x' }, demoBasic()), 400, 'invalid_request', 'grant_type is required');
      expectError(
        await token({ grant_type: 'password', username: 'demo_user', password: 'demo_password' }, demoBasic()),
        400,
        'unsupported_grant_type',
      );
    });

    it('should refuse a grant the client is not registered for', async () => {
      const limited = await insertClient(t.dataSource, { grantTypes: ['client_credentials'] });
      const res = await token({ grant_type: 'authorization_code', code: 'x' }, basic(limited.clientId, limited.clientSecret!));
      expectError(res, 400, 'unauthorized_client');
    });
  });

  describe('the code', () => {
    it('should accept client_secret_post for an administered client', async () => {
      const { code, verifier } = await authorizeAsUser(t.http);
      const res = await token({
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: DEMO_CLIENT.redirectUris[0],
        client_id: 'demo_client',
        client_secret: 'demo_secret',
      });
      expect(res.status).toBe(200);
    });

    it('should refuse a second use and revoke the tokens issued from the first (RFC 9700 §4.2.4)', async () => {
      const { code, verifier } = await authorizeAsUser(t.http);
      const first = await exchangeCode(t.http, code, verifier).expect(200);
      await expect(verify(first.body.access_token)).resolves.toMatchObject({ clientId: 'demo_client' });
      const second = await exchangeCode(t.http, code, verifier);
      expectError(second, 400, 'invalid_grant', 'authorization code already used');
      await expect(verify(first.body.access_token)).rejects.toMatchObject({ reason: 'revoked' });
      const refresh = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, demoBasic());
      expect(refresh.status).toBe(400);
    });

    it('should let exactly one of several concurrent exchanges succeed', async () => {
      const { code, verifier } = await authorizeAsUser(t.http);
      const results = await Promise.all(Array.from({ length: 6 }, () => exchangeCode(t.http, code, verifier)));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 400, 400, 400, 400, 400]);
      for (const r of results.filter((r) => r.status === 400)) {
        expect(r.body).toEqual({ error: 'invalid_grant', error_description: 'authorization code already used' });
      }
      // The final state, whatever the interleaving (RFC 9700 §4.2.4): the code is spent, its grant is
      // revoked as a replay, and the winner's tokens are dead with it, even those recorded after the
      // losers revoked the grant.
      const winner = results.find((r) => r.status === 200)!.body;
      const [grant] = await t.dataSource.query(
        `SELECT g.id, g.revoked_at IS NOT NULL AS revoked, g.revoked_reason
           FROM grants g JOIN authorization_codes c ON c.grant_id = g.id
          WHERE c.code_hash = $1 AND c.consumed_at IS NOT NULL`,
        [sha256(code)],
      );
      expect(grant).toMatchObject({ revoked: true, revoked_reason: 'code_replay' });
      const [issued] = await t.dataSource.query(
        `SELECT (SELECT count(*)::int FROM access_tokens WHERE grant_id = $1) AS access,
                (SELECT count(*)::int FROM refresh_tokens WHERE grant_id = $1) AS refresh`,
        [grant.id],
      );
      expect(issued).toEqual({ access: 1, refresh: 1 });
      await expect(verify(winner.access_token)).rejects.toMatchObject({ reason: 'revoked' });
      const refresh = await token({ grant_type: 'refresh_token', refresh_token: winner.refresh_token }, demoBasic());
      expectError(refresh, 400, 'invalid_grant');
      const introspected = await request(t.http)
        .post('/oauth/introspect')
        .set('Authorization', demoBasic())
        .type('form')
        .send({ token: winner.access_token });
      expect(introspected.body).toEqual({ active: false });
    });

    it('should burn a code presented by another client', async () => {
      const other = await insertClient(t.dataSource);
      const { code, verifier } = await authorizeAsUser(t.http);
      const stolen = await token(
        { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: DEMO_CLIENT.redirectUris[0] },
        basic(other.clientId, other.clientSecret!),
      );
      expectError(stolen, 400, 'invalid_grant', 'authorization code was issued to another client');
      expectError(await exchangeCode(t.http, code, verifier), 400, 'invalid_grant');
    });

    it('should refuse a different redirect_uri', async () => {
      const { code, verifier } = await authorizeAsUser(t.http);
      const res = await exchangeCode(t.http, code, verifier, { redirect_uri: 'http://localhost:3000/other' });
      expectError(res, 400, 'invalid_grant', 'redirect_uri does not match the authorization request');
    });

    it('should refuse a wrong, short, long, badly formed or missing code_verifier', async () => {
      for (const bad of ['a'.repeat(43), 'a'.repeat(42), 'a'.repeat(129), `${'a'.repeat(42)}!`, undefined]) {
        const { code } = await authorizeAsUser(t.http);
        const body: Record<string, string> = {
          grant_type: 'authorization_code',
          code,
          redirect_uri: DEMO_CLIENT.redirectUris[0],
        };
        if (bad !== undefined) body.code_verifier = bad;
        const res = await token(body, demoBasic());
        expectError(res, 400, 'invalid_grant');
      }
    });

    it('should refuse an expired code', async () => {
      const { code, verifier } = await authorizeAsUser(t.http);
      clock.advance(601);
      try {
        expectError(await exchangeCode(t.http, code, verifier), 400, 'invalid_grant', 'invalid or expired authorization code');
      } finally {
        clock.advance(-601);
      }
    });

    it('should check resource before spending the code, and accept the canonical one', async () => {
      const { code, verifier } = await authorizeAsUser(t.http);
      const wrong = await exchangeCode(t.http, code, verifier, { resource: 'https://other.example.com/mcp' });
      expectError(wrong, 400, 'invalid_target');
      const ok = await exchangeCode(t.http, code, verifier, { resource: t.config.mcp.resource }).expect(200);
      expect(decodeJwt(ok.body.access_token).aud).toBe(t.config.mcp.resource);
    });

    it('should answer expires_in with the token lifetime even when a second passes while it is recorded', async () => {
      const { code, verifier } = await authorizeAsUser(t.http);
      const issued = t.app.get(IssuedTokensRepository);
      const record = issued.record.bind(issued);
      const spy = jest.spyOn(issued, 'record').mockImplementationOnce(async (...args) => {
        clock.advance(1.2); // a slow database write across a second boundary
        return record(...args);
      });
      try {
        const res = await exchangeCode(t.http, code, verifier).expect(200);
        const claims = decodeJwt(res.body.access_token);
        expect(res.body.expires_in).toBe(3600);
        expect(claims.exp! - claims.iat!).toBe(res.body.expires_in);
      } finally {
        spy.mockRestore();
      }
    });

    it('should refuse an unknown code', async () => {
      expectError(await exchangeCode(t.http, 'mcpac_unknown', 'a'.repeat(43)), 400, 'invalid_grant');
    });
  });
});
