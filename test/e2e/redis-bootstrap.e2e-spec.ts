import Redis from 'ioredis';
import request from 'supertest';
import { RateLimitStorage } from 'src/rate-limit/rate-limit.storage';
import { createTestApp, TestApp } from './create-test-app';

const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

/** Issue 11 item 5: the rate-limit storage connects to Redis once, without a false warning or wait. */
describe('Redis rate-limit storage bootstrap (e2e)', () => {
  let t: TestApp;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    t = await createTestApp({ env: { REDIS_URL } });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.quit();
  });

  const connectionsNamed = async (name: string) =>
    String(await redis.call('CLIENT', 'LIST'))
      .split('\n')
      .filter((line) => line.includes(` name=${name} `)).length;

  it('should open exactly one connection and log no warning at start-up', async () => {
    const storage = t.app.get(RateLimitStorage);
    expect(storage.usingRedis).toBe(true);
    expect(await connectionsNamed(storage.connectionName)).toBe(1);
    expect(t.logs.filter((l) => /"context":"RateLimit"/.test(l))).toEqual([]);
  });

  it('should make a second bootstrap call (ThrottlerModule registers the same instance) a no-op', async () => {
    const storage = t.app.get(RateLimitStorage);
    const second = storage.onApplicationBootstrap().then(() => 'settled');
    const tick = new Promise((resolve) => setImmediate(() => resolve('still waiting')));
    expect(await Promise.race([second, tick])).toBe('settled');
    expect(await connectionsNamed(storage.connectionName)).toBe(1);
    expect(t.logs.filter((l) => /redis connect failed/.test(l))).toEqual([]);
  });

  it('should report Redis in readiness', async () => {
    const res = await request(t.http).get('/health/ready').expect(200);
    expect(res.body.details.redis).toEqual({ status: 'up' });
  });

  it('should close its one connection on shutdown', async () => {
    const other = await createTestApp({ env: { REDIS_URL } });
    const name = other.app.get(RateLimitStorage).connectionName;
    expect(await connectionsNamed(name)).toBe(1);
    await other.close();
    expect(await connectionsNamed(name)).toBe(0);
  });
});

describe('Readiness with REDIS_URL unreachable (e2e)', () => {
  it('should answer 503 naming Redis, while the endpoints keep working on per-instance counters', async () => {
    const t = await createTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      const res = await request(t.http).get('/health/ready').expect(503);
      expect(res.body.error).toEqual({
        redis: { status: 'down', message: 'not answering: rate limits count per instance' },
      });
      expect(res.body.details.database.status).toBe('up');
      await request(t.http).get('/.well-known/oauth-authorization-server').expect(200);
    } finally {
      await t.close();
    }
  });
});
