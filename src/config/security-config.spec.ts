import { AppConfig } from './app-config';
import { FAILURE_LIMITS, RATE_LIMIT_ENV_NAMES, RATE_LIMITS } from './security-config';
import { InvalidEnvironmentError, validateEnv } from './validate-env';

const configOf = (env: Record<string, string>) => new AppConfig(validateEnv(env), 'x'.repeat(32));

describe('rate limit and lockout configuration', () => {
  it('should default to the documented limits and lockout', () => {
    const config = configOf({});
    expect(config.rateLimit).toEqual({
      enabled: true,
      windowSeconds: 60,
      keyPrefix: 'mcp-oauth:rl:',
      limits: {
        'token.ip': 300,
        'token.client': 600,
        'revoke.ip': 300,
        'revoke.client': 300,
        'introspect.ip': 600,
        'introspect.client': 600,
        'login.ip': 30,
        'register.ip': 120,
        'authorize.ip': 300,
      },
      failureWindowSeconds: 300,
      failureLimits: {
        'client_auth.client': 10,
        'client_auth.ip': 15,
        'login.username_ip': 10,
        'login.username': 50,
      },
    });
    expect(config.loginLockout).toEqual({
      threshold: 5,
      baseSeconds: 60,
      maxSeconds: 900,
      resetSeconds: 43200,
    });
  });

  it('should read every limit from its variable, 0 meaning no limit', () => {
    const env = Object.fromEntries(RATE_LIMIT_ENV_NAMES.map((name, i) => [name, String(i)]));
    const config = configOf({
      ...env,
      RATE_LIMIT_ENABLED: 'false',
      RATE_LIMIT_WINDOW_SECONDS: '10',
    });
    expect(config.rateLimit.enabled).toBe(false);
    expect(config.rateLimit.windowSeconds).toBe(10);
    expect([
      ...Object.values(config.rateLimit.limits),
      ...Object.values(config.rateLimit.failureLimits),
    ]).toEqual(RATE_LIMIT_ENV_NAMES.map((_, i) => i));
    expect(Object.keys(config.rateLimit.limits)).toEqual(Object.keys(RATE_LIMITS));
    expect(Object.keys(config.rateLimit.failureLimits)).toEqual(Object.keys(FAILURE_LIMITS));
  });

  it('should never let the maximum lock be shorter than the first one', () => {
    expect(
      configOf({ LOGIN_LOCKOUT_BASE_SECONDS: '600', LOGIN_LOCKOUT_MAX_SECONDS: '60' }).loginLockout
        .maxSeconds,
    ).toBe(600);
  });

  it('should name a bad value', () => {
    for (const [name, value] of [
      ['RATE_LIMIT_TOKEN_PER_IP', '-1'],
      ['RATE_LIMIT_WINDOW_SECONDS', '0'],
      ['RATE_LIMIT_KEY_PREFIX', 'has space'],
      ['LOGIN_LOCKOUT_THRESHOLD', 'five'],
      ['RATE_LIMIT_ENABLED', 'maybe'],
    ]) {
      try {
        validateEnv({ [name]: value });
        throw new Error(`${name}=${value} was accepted`);
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidEnvironmentError);
        expect((err as InvalidEnvironmentError).problems[0]).toMatch(new RegExp(`^${name}: `));
      }
    }
  });
});
