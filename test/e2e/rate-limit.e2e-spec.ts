import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { AuditService } from 'src/audit/audit.service';
import { DEMO_CLIENT } from 'src/seed/demo-data';
import { basic } from '../factories/client.factory';
import { authorizePath, browser, formFields } from '../support/browser';
import { createTestApp, TestApp } from './create-test-app';

const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

/** Everything unlimited except what a test sets (0 = no limit). */
const NO_LIMITS: Record<string, string> = {
  RATE_LIMIT_TOKEN_PER_IP: '0',
  RATE_LIMIT_TOKEN_PER_CLIENT: '0',
  RATE_LIMIT_REVOKE_PER_IP: '0',
  RATE_LIMIT_REVOKE_PER_CLIENT: '0',
  RATE_LIMIT_INTROSPECT_PER_IP: '0',
  RATE_LIMIT_INTROSPECT_PER_CLIENT: '0',
  RATE_LIMIT_LOGIN_PER_IP: '0',
  RATE_LIMIT_CLIENT_AUTH_FAILURES_PER_CLIENT: '0',
  RATE_LIMIT_CLIENT_AUTH_FAILURES_PER_IP: '0',
  RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME_IP: '0',
  RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME: '0',
  RATE_LIMIT_REGISTER_PER_IP: '0',
  RATE_LIMIT_AUTHORIZE_PER_IP: '0',
};

const uniquePrefix = () => `test:${randomBytes(6).toString('hex')}:`;

function expectRateLimitedJson(res: request.Response): void {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({ error: 'rate_limited', error_description: 'too many requests' });
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
  expect(res.headers['cache-control']).toBe('no-store');
}

function expectRateLimitedPage(res: request.Response): void {
  expect(res.status).toBe(429);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.text).toContain('Too many requests');
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
}

async function rateLimitEvents(
  t: TestApp,
  limit?: string,
): Promise<Array<{ client_id: string | null; details: Record<string, unknown> }>> {
  await t.app.get(AuditService).flush();
  const rows: Array<{ client_id: string | null; details: Record<string, unknown> }> = await t.dataSource.query(
    `SELECT client_id, details FROM audit_events WHERE type = 'rate_limit.hit' ORDER BY at, id`,
  );
  return limit ? rows.filter((r) => r.details.limit === limit) : rows;
}

describe('Rate limits (e2e)', () => {
  describe('in memory, TRUST_PROXY=false', () => {
    let t: TestApp;
    const token = (auth: string | null, body: Record<string, string> = {}) => {
      const req = request(t.http).post('/oauth/token').type('form');
      if (auth) req.set('Authorization', auth);
      return req.send({ grant_type: 'client_credentials', ...body });
    };

    beforeAll(async () => {
      t = await createTestApp({
        env: {
          ...NO_LIMITS,
          RATE_LIMIT_TOKEN_PER_CLIENT: '3',
          RATE_LIMIT_INTROSPECT_PER_IP: '2',
          RATE_LIMIT_LOGIN_PER_IP: '7',
          RATE_LIMIT_REGISTER_PER_IP: '2',
          RATE_LIMIT_AUTHORIZE_PER_IP: '2',
          RATE_LIMIT_REVOKE_PER_CLIENT: '1',
          TRUST_PROXY: 'false',
        },
      });
    });
    afterAll(() => t.close());

    it('should count the token endpoint per client_id, from Basic or the form alike, before authenticating', async () => {
      const other = `client_${randomBytes(4).toString('hex')}`;
      // Wrong secrets count against the client they name: the key is read, never verified.
      expect((await token(basic(DEMO_CLIENT.clientId, 'wrong-secret'))).status).toBe(401);
      // The right secret: a token, and a request counted like the others.
      expect((await token(basic(DEMO_CLIENT.clientId, DEMO_CLIENT.clientSecret))).status).toBe(200);
      expect(
        (await token(null, { client_id: DEMO_CLIENT.clientId, client_secret: 'wrong' })).status,
      ).toBe(401);
      // The 4th request for demo_client, whichever way it names the client and even with the right secret.
      expectRateLimitedJson(await token(basic(DEMO_CLIENT.clientId, DEMO_CLIENT.clientSecret)));
      expectRateLimitedJson(await token(null, { client_id: DEMO_CLIENT.clientId }));
      // The /token alias shares the endpoint's counter.
      expectRateLimitedJson(
        await request(t.http)
          .post('/token')
          .type('form')
          .set('Authorization', basic(DEMO_CLIENT.clientId, DEMO_CLIENT.clientSecret))
          .send({ grant_type: 'client_credentials' }),
      );
      // Another client from the same address has its own bucket; no client at all is not counted per client.
      expect((await token(basic(other, 'x'))).status).toBe(401);
      expect((await token(null)).status).toBe(401);
      // Blocked four times, audited once per window, naming the client.
      const events = (await rateLimitEvents(t, 'token.client')).filter((e) => e.client_id === DEMO_CLIENT.clientId);
      expect(events).toHaveLength(1);
      expect(events[0].details).toMatchObject({
        max_requests: 3,
        window_seconds: 60,
        method: 'POST',
        path: '/oauth/token',
      });
    });

    it('should count revocation per client_id', async () => {
      const revoke = () =>
        request(t.http)
          .post('/oauth/revoke')
          .type('form')
          .set('Authorization', basic(DEMO_CLIENT.clientId, DEMO_CLIENT.clientSecret))
          .send({ token: 'mcprt_unknown' });
      expect((await revoke()).status).toBe(200);
      expectRateLimitedJson(await revoke());
      expect(await rateLimitEvents(t, 'revoke.client')).toHaveLength(1);
    });

    it('should count introspection per IP and answer CORS callers with a readable Retry-After', async () => {
      const introspect = () =>
        request(t.http)
          .post('/oauth/introspect')
          .type('form')
          .set('Origin', 'https://rs.example')
          .set('Authorization', basic(DEMO_CLIENT.clientId, DEMO_CLIENT.clientSecret))
          .send({ token: 'x' });
      expect((await introspect()).status).toBe(200);
      expect((await introspect()).status).toBe(200);
      const limited = await introspect();
      expectRateLimitedJson(limited);
      expect(limited.headers['access-control-allow-origin']).toBe('*');
      expect(limited.headers['access-control-expose-headers']).toContain('Retry-After');
      expect(await rateLimitEvents(t, 'introspect.ip')).toHaveLength(1);
    });

    // Failed sign-ins per username are guessing limits now (guessing-limits.e2e-spec.ts).
    it('should count logins per IP, and ignore a spoofed X-Forwarded-For', async () => {
      const agent = browser(t.http);
      const page = await agent.get('/login').expect(200);
      const fields = formFields(page.text);
      const login = (username: string, xff?: string) => {
        const req = agent.post('/login').type('form');
        if (xff) req.set('X-Forwarded-For', xff);
        return req.send({ ...fields, username, password: 'not-the-password' });
      };
      for (const name of ['alice', 'Alice', 'ALICE', 'bob', 'carol', 'dave', 'erin']) {
        expect((await login(name)).status).toBe(400);
      }
      // The address's limit (7) is reached.
      expectRateLimitedPage(await login('erin'));
      // X-Forwarded-For from an untrusted peer is ignored: no fresh bucket.
      expectRateLimitedPage(await login('frank', '203.0.113.7'));
      expectRateLimitedPage(await login('grace', '198.51.100.1, 203.0.113.8'));
      // One event for the blocked address, never naming a username or the password.
      const events = await rateLimitEvents(t, 'login.ip');
      expect(events).toHaveLength(1);
      expect(JSON.stringify(events)).not.toMatch(/alice|erin|frank|grace|not-the-password/i);
    });

    it('should count /authorize per IP and answer with a page', async () => {
      const path = authorizePath({ client_id: DEMO_CLIENT.clientId, response_type: 'code' });
      // Not limited yet: the error redirect (no PKCE) and the page (no client_id) they always get.
      expect((await request(t.http).get(path)).status).toBe(302);
      expect((await request(t.http).get('/authorize')).status).toBe(400);
      expectRateLimitedPage(await request(t.http).get(path));
      expect(await rateLimitEvents(t, 'authorize.ip')).toHaveLength(1);
    });

    it('should count registration per IP', async () => {
      const register = () =>
        request(t.http)
          .post('/oauth/register')
          .send({
            redirect_uris: ['http://127.0.0.1:9999/cb'],
            token_endpoint_auth_method: 'none',
          });
      expect((await register()).status).toBe(201);
      expect((await register()).status).toBe(201);
      expectRateLimitedJson(await register());
      expect(await rateLimitEvents(t, 'register.ip')).toHaveLength(1);
    });

    it('should leave other endpoints alone', async () => {
      for (let i = 0; i < 5; i++) {
        expect((await request(t.http).get('/.well-known/oauth-authorization-server')).status).toBe(
          200,
        );
        expect((await request(t.http).get('/login')).status).toBe(200);
      }
    });

    it('should audit a blocked key once per window, however often it is blocked', async () => {
      const client = `audited_${randomBytes(4).toString('hex')}`;
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await token(null, { client_id: client })).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
      const events = (await rateLimitEvents(t, 'token.client')).filter((e) => e.client_id === client);
      expect(events).toHaveLength(1);
    });
  });

  describe('behind a trusted proxy (TRUST_PROXY=loopback)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        env: { ...NO_LIMITS, RATE_LIMIT_AUTHORIZE_PER_IP: '1', TRUST_PROXY: 'loopback' },
      });
    });
    afterAll(() => t.close());

    it('should count per forwarded client address', async () => {
      const get = (xff: string) => request(t.http).get('/authorize').set('X-Forwarded-For', xff);
      // 400: /authorize without client_id is an error page, until the address is limited.
      expect((await get('203.0.113.1')).status).toBe(400);
      expectRateLimitedPage(await get('203.0.113.1'));
      expect((await get('203.0.113.2')).status).toBe(400);
      // IPv6 clients share a bucket per /64.
      expect((await get('2001:db8:1:2::1')).status).toBe(400);
      expectRateLimitedPage(await get('2001:db8:1:2::ffff'));
    });
  });

  describe('with REDIS_URL: counters shared by every instance', () => {
    const prefix = uniquePrefix();
    const env = {
      ...NO_LIMITS,
      RATE_LIMIT_TOKEN_PER_CLIENT: '3',
      REDIS_URL,
      RATE_LIMIT_KEY_PREFIX: prefix,
    };
    let a: TestApp;
    let b: TestApp;
    const token = (t: TestApp, clientId: string) =>
      request(t.http)
        .post('/oauth/token')
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: clientId });

    beforeAll(async () => {
      a = await createTestApp({ env });
      b = await createTestApp({ env });
    });
    afterAll(async () => {
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`{${prefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
      await a.close();
      await b.close();
    });

    it('should block on one instance a client that used its allowance on the other', async () => {
      expect((await token(a, 'shared-client')).status).toBe(401);
      expect((await token(a, 'shared-client')).status).toBe(401);
      expect((await token(b, 'shared-client')).status).toBe(401);
      expectRateLimitedJson(await token(b, 'shared-client'));
      expectRateLimitedJson(await token(a, 'shared-client'));
      expect((await token(b, 'another-client')).status).toBe(401);
    });

    it('should keep only hashes in Redis keys, under the configured prefix', async () => {
      const redis = new Redis(REDIS_URL);
      try {
        // Its own counter: one hit for a client no other test uses makes exactly one new hits key.
        const before = new Set(await redis.keys(`{${prefix}*`));
        expect((await token(a, 'keys-client')).status).toBe(401);
        const keys = await redis.keys(`{${prefix}*`);
        expect(keys.filter((k) => !before.has(k))).toEqual([expect.stringMatching(/:hits$/)]);
        for (const key of keys) {
          expect(key).toMatch(
            /^\{test:[0-9a-f]+:token\.client:[0-9a-f]{64}:token\.client\}:(hits|blocked)$/,
          );
          expect(key).not.toContain('shared-client');
        }
      } finally {
        await redis.quit();
      }
    });
  });

  describe('with REDIS_URL unreachable', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        env: { ...NO_LIMITS, RATE_LIMIT_TOKEN_PER_CLIENT: '1', REDIS_URL: 'redis://127.0.0.1:1' },
      });
    });
    afterAll(() => t.close());

    it('should still start, warn, and limit per instance', async () => {
      const token = () =>
        request(t.http)
          .post('/oauth/token')
          .type('form')
          .send({ grant_type: 'client_credentials', client_id: 'c1' });
      expect((await token()).status).toBe(401);
      expectRateLimitedJson(await token());
      expect(t.logs.some((l) => /"context":"RateLimit"/.test(l) && /redis/.test(l))).toBe(true);
      expect(t.logs.join('\n')).not.toContain('127.0.0.1:1');
    });
  });
});
