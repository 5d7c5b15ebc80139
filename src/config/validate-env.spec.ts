import { AppConfig } from './app-config';
import { InvalidEnvironmentError, validateEnv } from './validate-env';

function problems(env: Record<string, string>): string[] {
  try {
    validateEnv(env);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidEnvironmentError);
    return (err as InvalidEnvironmentError).problems;
  }
  throw new Error('expected validation to fail');
}

describe(validateEnv.name, () => {
  it('should apply the documented defaults to an empty environment', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({
      PORT: 8000,
      ISSUER: 'http://localhost:8000',
      DATA_DIR: './data',
      ACCESS_TOKEN_TTL: 3600,
      REFRESH_TOKEN_TTL: 2592000,
      AUTHORIZATION_CODE_TTL: 600,
      BCRYPT_COST: 12,
    });
    const config = new AppConfig(env, 'x'.repeat(32));
    expect(config.db).toEqual({ kind: 'pglite', dataDir: './data/pglite' });
    expect(config.mcp.resource).toBe('http://localhost:8000/mcp');
    expect(config.mcp.resourceMetadataUrl).toBe(
      'http://localhost:8000/.well-known/oauth-protected-resource/mcp',
    );
    expect(config.seedDemo).toBe(true);
  });

  it('should name the variable that is wrong', () => {
    expect(problems({ PORT: 'eighty' })[0]).toMatch(/^PORT: /);
    expect(problems({ ACCESS_TOKEN_TTL: '5' })[0]).toMatch(/^ACCESS_TOKEN_TTL: /);
    expect(problems({ ISSUER: 'http://localhost:8000/' })[0]).toMatch(/^ISSUER: /);
    expect(problems({ DATABASE_URL: 'mysql://x' })[0]).toMatch(/^DATABASE_URL: /);
    expect(problems({ SEED_DEMO: 'maybe' })[0]).toMatch(/^SEED_DEMO: /);
  });

  it('should never print the value of a secret', () => {
    const secret = 'short-secret-value';
    const all = problems({ APP_SECRET: secret, DATABASE_URL: 'mysql://user:hunter2@db' }).join(
      '\n',
    );
    expect(all).toMatch(/APP_SECRET/);
    expect(all).toMatch(/DATABASE_URL/);
    expect(all).not.toContain(secret);
    expect(all).not.toContain('hunter2');
  });

  it('should refuse to start in production without APP_SECRET', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      'APP_SECRET: required when NODE_ENV=production',
    ]);
    expect(() => validateEnv({ NODE_ENV: 'production', APP_SECRET: 'p'.repeat(40) })).not.toThrow();
  });

  it('should refuse a plain http issuer in production unless it is loopback', () => {
    const secret = 'p'.repeat(40);
    expect(
      problems({ NODE_ENV: 'production', APP_SECRET: secret, ISSUER: 'http://auth.example.com' }),
    ).toEqual(['ISSUER: must be https when NODE_ENV=production (http only on a loopback host)']);
    for (const issuer of [
      'https://auth.example.com',
      'http://localhost:8000',
      'http://127.0.0.1:8000',
    ]) {
      expect(() =>
        validateEnv({ NODE_ENV: 'production', APP_SECRET: secret, ISSUER: issuer }),
      ).not.toThrow();
    }
    expect(() => validateEnv({ ISSUER: 'http://auth.example.com' })).not.toThrow();
  });

  it('should read memory:// and postgres:// database URLs', () => {
    const mem = new AppConfig(validateEnv({ DATABASE_URL: 'memory://' }), 'x'.repeat(32));
    expect(mem.db).toEqual({ kind: 'pglite', dataDir: null });
    const pg = new AppConfig(validateEnv({ DATABASE_URL: 'postgres://u@h/db' }), 'x'.repeat(32));
    expect(pg.db).toEqual({
      kind: 'postgres',
      url: 'postgres://u@h/db',
      timeouts: { connectMs: 3000, statementMs: 5000, queryMs: 6000, keepAliveDelayMs: 10000 },
    });
    const tuned = new AppConfig(
      validateEnv({
        DATABASE_URL: 'postgres://u@h/db',
        DB_CONNECT_TIMEOUT_MS: '500',
        DB_STATEMENT_TIMEOUT_MS: '700',
        DB_QUERY_TIMEOUT_MS: '900',
        DB_KEEPALIVE_DELAY_MS: '2000',
        SHUTDOWN_TIMEOUT_SECONDS: '3',
      }),
      'x'.repeat(32),
    );
    expect(tuned.db).toMatchObject({
      timeouts: { connectMs: 500, statementMs: 700, queryMs: 900, keepAliveDelayMs: 2000 },
    });
    expect(tuned.shutdownTimeoutMs).toBe(3000);
    expect(() => validateEnv({ DB_QUERY_TIMEOUT_MS: '5' })).toThrow(/DB_QUERY_TIMEOUT_MS/);
  });

  it('should turn maintenance on by default, except under test, and read its settings', () => {
    const config = (env: Record<string, string>) => new AppConfig(validateEnv(env), 'x'.repeat(32));
    expect(config({}).maintenance).toEqual({
      enabled: true,
      auditRetentionDays: 90,
      keyRotationIntervalHours: 24,
      dcrClientTtlDays: 30,
    });
    expect(config({ NODE_ENV: 'test' }).maintenance.enabled).toBe(false);
    expect(config({ NODE_ENV: 'test', MAINTENANCE_ENABLED: 'true' }).maintenance.enabled).toBe(
      true,
    );
    expect(config({ MAINTENANCE_ENABLED: 'off' }).maintenance.enabled).toBe(false);
    const set = config({
      AUDIT_RETENTION_DAYS: '7',
      KEY_ROTATION_INTERVAL_HOURS: '48',
      DCR_CLIENT_TTL_DAYS: '2',
    });
    expect(set.maintenance).toMatchObject({
      auditRetentionDays: 7,
      keyRotationIntervalHours: 48,
      dcrClientTtlDays: 2,
    });
    expect(problems({ MAINTENANCE_ENABLED: 'sometimes' })[0]).toMatch(/^MAINTENANCE_ENABLED: /);
    expect(problems({ KEY_ROTATION_INTERVAL_HOURS: '0' })[0]).toMatch(
      /^KEY_ROTATION_INTERVAL_HOURS: /,
    );
    expect(problems({ AUDIT_RETENTION_DAYS: 'forever' })[0]).toMatch(/^AUDIT_RETENTION_DAYS: /);
  });

  it('should read the administrator client settings, both or neither, and never print the secret', () => {
    const config = (env: Record<string, string>) => new AppConfig(validateEnv(env), 'x'.repeat(32));
    expect(config({}).adminClient).toBeNull();
    const secret = 'an-admin-secret-that-is-long';
    expect(config({ ADMIN_CLIENT_ID: 'ops', ADMIN_CLIENT_SECRET: secret }).adminClient).toEqual({
      clientId: 'ops',
      secret,
    });
    expect(problems({ ADMIN_CLIENT_ID: 'ops' })).toEqual([
      'ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET: set both or neither',
    ]);
    expect(problems({ ADMIN_CLIENT_SECRET: secret })).toEqual([
      'ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET: set both or neither',
    ]);
    expect(problems({ ADMIN_CLIENT_ID: 'a b', ADMIN_CLIENT_SECRET: secret })[0]).toMatch(
      /^ADMIN_CLIENT_ID: /,
    );
    const short = problems({ ADMIN_CLIENT_ID: 'ops', ADMIN_CLIENT_SECRET: 'short-secret' });
    expect(short).toEqual([
      'ADMIN_CLIENT_SECRET: ADMIN_CLIENT_SECRET must be at least 20 characters',
    ]);
    expect(short.join()).not.toContain('short-secret');
  });
});
