import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { AuditService } from 'src/audit/audit.service';
import { DEMO_CLIENT, DEMO_USER } from 'src/seed/demo-data';
import { basic } from '../factories/client.factory';
import { browser, formFields } from '../support/browser';
import { createTestApp, TestApp } from './create-test-app';

/**
 * Issue 12 item 9 (docs/security.md §12.5), black-box over HTTP with the
 * shipped defaults: failures are counted, successes are not (and clear the failures), a brute
 * force meets 429 within a few attempts, and an honest person signing in often is never refused.
 */

/** The shipped defaults of every limit this spec is about (createTestApp raises all limits). */
const DEFAULT_LIMITS: Record<string, string> = {
  RATE_LIMIT_TOKEN_PER_IP: '300',
  RATE_LIMIT_TOKEN_PER_CLIENT: '600',
  RATE_LIMIT_LOGIN_PER_IP: '30',
  RATE_LIMIT_CLIENT_AUTH_FAILURES_PER_CLIENT: '10',
  RATE_LIMIT_CLIENT_AUTH_FAILURES_PER_IP: '15',
  RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME_IP: '10',
  RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME: '50',
};

const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

let addressCounter = 0;
/** A fresh client address per test (TRUST_PROXY=loopback makes X-Forwarded-For count). */
const freshAddress = () => `198.51.100.${++addressCounter}`;

function expect429(res: request.Response): void {
  expect(res.status).toBe(429);
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(300);
}

function clientAuthSuite(label: string, env: () => Record<string, string>) {
  describe(label, () => {
    let t: TestApp;
    const token = (auth: string, ip: string) =>
      request(t.http)
        .post('/oauth/token')
        .type('form')
        .set('Authorization', auth)
        .set('X-Forwarded-For', ip)
        .send({ grant_type: 'client_credentials' });
    const wrong = () => basic(DEMO_CLIENT.clientId, `wrong-${randomBytes(4).toString('hex')}`);
    const right = () => basic(DEMO_CLIENT.clientId, DEMO_CLIENT.clientSecret);

    beforeAll(async () => {
      t = await createTestApp({ env: { ...DEFAULT_LIMITS, TRUST_PROXY: 'loopback', ...env() } });
    });
    afterAll(() => t.close());

    it('should meet a brute force on one client secret with 429 within 20 attempts, even from many addresses', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await token(wrong(), freshAddress())).status);
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
      expect(statuses.slice(10)).toEqual(Array(10).fill(429));
      // Blocked means blocked: the right secret gets 429 too until the window ends (no oracle).
      expect429(await token(right(), freshAddress()));
    });

    it('should limit one address spraying wrong secrets over many client_ids', async () => {
      const ip = freshAddress();
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) {
        statuses.push(
          (await token(basic(`client_${randomBytes(4).toString('hex')}`, 'x'), ip)).status,
        );
      }
      expect(statuses.slice(0, 15)).toEqual(Array(15).fill(401));
      expect(statuses.slice(15)).toEqual(Array(5).fill(429));
      expect429(await token(basic(`client_${randomBytes(4).toString('hex')}`, 'x'), ip));
    });
  });
}

describe('Guessing limits (e2e)', () => {
  describe('in memory', () => {
    let t: TestApp;
    const signIn = async (username: string, password: string, ip: string) => {
      const agent = browser(t.http);
      const page = await agent.get('/login').set('X-Forwarded-For', ip).expect(200);
      return agent
        .post('/login')
        .type('form')
        .set('X-Forwarded-For', ip)
        .send({ ...formFields(page.text), username, password });
    };
    const token = (auth: string, ip: string) =>
      request(t.http)
        .post('/oauth/token')
        .type('form')
        .set('Authorization', auth)
        .set('X-Forwarded-For', ip)
        .send({ grant_type: 'client_credentials' });

    /** rate_limit.hit events for `limit` so far (each test compares before and after: any order). */
    const hits = async (limit: string): Promise<Array<{ details: Record<string, unknown> }>> => {
      await t.app.get(AuditService).flush();
      const rows: Array<{ details: Record<string, unknown> }> = await t.dataSource.query(
        `SELECT details FROM audit_events WHERE type = 'rate_limit.hit'`,
      );
      return rows.filter((r) => r.details.limit === limit);
    };

    beforeAll(async () => {
      t = await createTestApp({ env: { ...DEFAULT_LIMITS, TRUST_PROXY: 'loopback' } });
    });
    afterAll(() => t.close());

    it('should never refuse an honest person signing in fifteen times a minute', async () => {
      const ip = freshAddress();
      for (let i = 0; i < 15; i++) {
        const res = await signIn(DEMO_USER.username, DEMO_USER.password, ip);
        expect(res.status).toBe(303);
      }
    });

    it('should meet a password guesser with a 429 page within 20 attempts from one address', async () => {
      const ip = freshAddress();
      const before = (await hits('login.username_ip')).length;
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++)
        statuses.push((await signIn('victim-user', `guess-${i}`, ip)).status);
      // Blocked eleven times, audited once.
      expect(await hits('login.username_ip')).toHaveLength(before + 1);
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(400));
      expect(statuses.slice(10)).toEqual(Array(10).fill(429));
      const blocked = await signIn('Victim-User', 'guess', ip);
      expect429(blocked);
      expect(blocked.headers['content-type']).toMatch(/^text\/html/);
      // Another person at the same address is not refused.
      expect((await signIn(DEMO_USER.username, DEMO_USER.password, ip)).status).toBe(303);
    });

    it('should cap failures per username across addresses higher, then refuse', async () => {
      const before = (await hits('login.username')).length;
      const statuses: number[] = [];
      for (let i = 0; i < 52; i++)
        statuses.push((await signIn('spread-user', 'guess', freshAddress())).status);
      expect(statuses.slice(0, 50)).toEqual(Array(50).fill(400));
      expect(statuses.slice(50)).toEqual([429, 429]);
      expect(await hits('login.username')).toHaveLength(before + 1);
    });

    it('should forget a person’s failures when they sign in (the account lockout still applies)', async () => {
      const ip = freshAddress();
      // 12 failures in all, never 5 in a row (the lockout threshold): each success clears the count.
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 4; i++)
          expect((await signIn(DEMO_USER.username, 'typo', ip)).status).toBe(400);
        expect((await signIn(DEMO_USER.username, DEMO_USER.password, ip)).status).toBe(303);
      }
    });

    it('should forget a client’s failures when it authenticates', async () => {
      const ip = freshAddress();
      const wrong = basic(DEMO_CLIENT.clientId, 'wrong');
      const right = basic(DEMO_CLIENT.clientId, DEMO_CLIENT.clientSecret);
      // 12 failures for the client (cap 10), under the address's cap (15, never cleared by a success).
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 4; i++) expect((await token(wrong, ip)).status).toBe(401);
        expect((await token(right, ip)).status).toBe(200);
      }
    });

    it('should never count successes: many good token requests in a row', async () => {
      const right = basic(DEMO_CLIENT.clientId, DEMO_CLIENT.clientSecret);
      const ip = freshAddress();
      for (let i = 0; i < 30; i++) expect((await token(right, ip)).status).toBe(200);
    });

    it('should audit a key once, when it reaches its cap, naming the limit and never the username', async () => {
      // Its own guesser (the tests above each check their own event): one address, one username.
      const ip = freshAddress();
      const before = await hits('login.username_ip');
      for (let i = 0; i < 12; i++) await signIn('audited-guess-user', `guess-${i}`, ip);
      const added = (await hits('login.username_ip')).slice(before.length);
      expect(added).toHaveLength(1);
      expect(added[0].details).toMatchObject({ limit: 'login.username_ip' });
      expect(JSON.stringify(await hits('login.username_ip'))).not.toMatch(/audited-guess-user|victim|spread-user|guess-/i);
    });
  });

  describe('with REDIS_URL: failures counted once for every instance', () => {
    const prefix = `test:${randomBytes(6).toString('hex')}:`;
    afterAll(async () => {
      const redis = new Redis(REDIS_URL);
      const keys = [...(await redis.keys(`${prefix}*`)), ...(await redis.keys(`{${prefix}*`))];
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    });
    clientAuthSuite('client authentication, in Redis', () => ({
      REDIS_URL,
      RATE_LIMIT_KEY_PREFIX: prefix,
    }));

    it('should keep only hashes in the failure keys, under the prefix', async () => {
      // Its own app, prefix and failure: the suite above may run before or after this test.
      const own = `test:${randomBytes(6).toString('hex')}:`;
      const app = await createTestApp({ env: { ...DEFAULT_LIMITS, REDIS_URL, RATE_LIMIT_KEY_PREFIX: own } });
      const redis = new Redis(REDIS_URL);
      try {
        const res = await request(app.http)
          .post('/oauth/token')
          .type('form')
          .set('Authorization', basic(DEMO_CLIENT.clientId, 'wrong-secret'))
          .send({ grant_type: 'client_credentials' });
        expect(res.status).toBe(401);
        const keys = await redis.keys(`${own}fail:*`);
        expect(keys).toHaveLength(2); // this failure's client key and address key
        for (const key of keys)
          expect(key).toMatch(/^test:[0-9a-f]+:fail:client_auth\.(client|ip):[0-9a-f]{64}$/);
      } finally {
        const mine = [...(await redis.keys(`${own}*`)), ...(await redis.keys(`{${own}*`))];
        if (mine.length) await redis.del(...mine);
        await redis.quit();
        await app.close();
      }
    });
  });
});
