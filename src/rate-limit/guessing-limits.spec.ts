import { AuditService } from 'src/audit/audit.service';
import { AppConfig } from 'src/config/app-config';
import { OAuthError } from 'src/oauth/errors/oauth.error';
import { FailureKey, GuessingLimits, loginFailureKeys } from './guessing-limits';
import { RateLimitStorage } from './rate-limit.storage';

describe(GuessingLimits.name, () => {
  const rateLimit = (enabled = true) => ({
    enabled,
    keyPrefix: 'p:',
    failureWindowSeconds: 300,
    failureLimits: {
      'client_auth.client': 3,
      'client_auth.ip': 0,
      'login.username_ip': 2,
      'login.username': 5,
    },
  });
  let audit: { record: jest.Mock };
  const make = (enabled = true) => {
    const config = { rateLimit: rateLimit(enabled), redisUrl: undefined } as unknown as AppConfig;
    audit = { record: jest.fn() };
    return new GuessingLimits(
      config,
      new RateLimitStorage(config),
      audit as unknown as AuditService,
    );
  };
  const client: FailureKey[] = [{ limit: 'client_auth.client', tracker: 'c1' }];

  it('should refuse with 429 and Retry-After once a key reached its cap, and audit it once', async () => {
    const sut = make();
    for (let i = 0; i < 3; i++) {
      await sut.check(client);
      await sut.failed(client, { clientId: 'c1' });
    }
    const err = await sut.check(client).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthError);
    expect((err as OAuthError).code).toBe('rate_limited');
    expect((err as OAuthError).status).toBe(429);
    await sut.failed(client, { clientId: 'c1' });
    expect(audit.record).toHaveBeenCalledTimes(1);
    expect(audit.record.mock.calls[0][0]).toMatchObject({
      type: 'rate_limit.hit',
      clientId: 'c1',
      details: { limit: 'client_auth.client', max_failures: 3, window_seconds: 300 },
    });
  });

  it('should report the keys with failures and forget them on success', async () => {
    const sut = make();
    expect(await sut.check(client)).toEqual([]);
    await sut.failed(client);
    expect(await sut.check(client)).toEqual(client);
    await sut.succeeded(client);
    expect(await sut.check(client)).toEqual([]);
  });

  it('should ignore limits set to 0, and everything when rate limiting is off', async () => {
    const ip: FailureKey[] = [{ limit: 'client_auth.ip', tracker: '10.0.0.1' }];
    const sut = make();
    for (let i = 0; i < 10; i++) await sut.failed(ip);
    await expect(sut.check(ip)).resolves.toEqual([]);
    const off = make(false);
    for (let i = 0; i < 10; i++) await off.failed(client);
    await expect(off.check(client)).resolves.toEqual([]);
  });

  it('should key a sign-in per (username, address /64) and per username', () => {
    const [pair, user] = loginFailureKeys('alice', '2001:db8:1:2::1');
    expect(pair).toEqual({
      limit: 'login.username_ip',
      tracker: expect.stringContaining('alice\u0000'),
    });
    expect(loginFailureKeys('alice', '2001:db8:1:2::ffff')[0]).toEqual(pair);
    expect(user).toEqual({ limit: 'login.username', tracker: 'alice' });
  });
});
