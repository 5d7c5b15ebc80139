import { AppConfig } from './app-config';
import { InvalidEnvironmentError, validateEnv } from './validate-env';

const problems = (env: Record<string, string>): string[] => {
  try {
    validateEnv(env);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidEnvironmentError);
    return (err as InvalidEnvironmentError).problems;
  }
  return [];
};

describe('client registration settings', () => {
  it('should default to open registration, custom schemes, read write and CIMD over https only', () => {
    const config = new AppConfig(validateEnv({}), 'x'.repeat(32));
    expect(config.registration).toEqual({
      mode: 'open',
      initialAccessToken: null,
      allowCustomSchemes: true,
      customSchemes: ['cursor'],
      allowedScopes: ['read', 'write'],
      clientSecretTtl: 0,
    });
    expect(config.cimd).toEqual({
      enabled: true,
      allowLoopback: false,
      allowHttpLoopback: false,
      fetchTimeoutMs: 5000,
      allowedPorts: [443],
    });
  });

  it('should read the custom scheme allowlist and the CIMD ports, and refuse unsafe ones', () => {
    const config = new AppConfig(
      validateEnv({ REGISTRATION_CUSTOM_SCHEMES: 'Cursor, vscode', CIMD_ALLOWED_PORTS: '443, 8443' }),
      'x'.repeat(32),
    );
    expect(config.registration.customSchemes).toEqual(['cursor', 'vscode']);
    expect(config.cimd.allowedPorts).toEqual([443, 8443]);
    for (const bad of ['javascript', 'cursor,https', 'file', 'com.example.app', 'a b'])
      expect(problems({ REGISTRATION_CUSTOM_SCHEMES: bad })[0]).toMatch(/^REGISTRATION_CUSTOM_SCHEMES: /);
    for (const bad of ['0', '65536', '443,x', 'any', ','])
      expect(problems({ CIMD_ALLOWED_PORTS: bad })[0]).toMatch(/^CIMD_ALLOWED_PORTS: /);
  });

  it('should read the switches and never keep offline_access as a registrable scope', () => {
    const config = new AppConfig(
      validateEnv({
        REGISTRATION_MODE: 'token',
        REGISTRATION_INITIAL_ACCESS_TOKEN: 't'.repeat(40),
        REGISTRATION_ALLOW_CUSTOM_SCHEMES: 'false',
        REGISTRATION_CLIENT_SECRET_TTL: '86400',
        DCR_ALLOWED_SCOPES: 'read offline_access read',
        CIMD_ENABLED: 'no',
        CIMD_FETCH_TIMEOUT_MS: '250',
      }),
      'x'.repeat(32),
    );
    expect(config.registration).toMatchObject({
      mode: 'token',
      initialAccessToken: 't'.repeat(40),
      allowCustomSchemes: false,
      allowedScopes: ['read'],
      clientSecretTtl: 86400,
    });
    expect(config.cimd).toMatchObject({ enabled: false, fetchTimeoutMs: 250 });
  });

  it('should require the initial access token in token mode without printing it', () => {
    expect(problems({ REGISTRATION_MODE: 'token' })).toEqual([
      'REGISTRATION_INITIAL_ACCESS_TOKEN: required when REGISTRATION_MODE=token',
    ]);
    const short = problems({ REGISTRATION_MODE: 'token', REGISTRATION_INITIAL_ACCESS_TOKEN: 'hunter2' });
    expect(short[0]).toMatch(/^REGISTRATION_INITIAL_ACCESS_TOKEN: /);
    expect(short.join('\n')).not.toContain('hunter2');
  });

  it('should refuse bad values and the test-only switches in production', () => {
    expect(problems({ REGISTRATION_MODE: 'closed' })[0]).toMatch(/^REGISTRATION_MODE: /);
    expect(problems({ DCR_ALLOWED_SCOPES: 'read  "write"' })[0]).toMatch(/^DCR_ALLOWED_SCOPES: /);
    expect(problems({ CIMD_FETCH_TIMEOUT_MS: '60000' })[0]).toMatch(/^CIMD_FETCH_TIMEOUT_MS: /);
    expect(
      problems({ NODE_ENV: 'production', APP_SECRET: 'x'.repeat(40), CIMD_ALLOW_LOOPBACK: 'true', CIMD_ALLOW_HTTP_LOOPBACK: 'true' }),
    ).toEqual(
      expect.arrayContaining([
        'CIMD_ALLOW_LOOPBACK: test-only, refused when NODE_ENV=production',
        'CIMD_ALLOW_HTTP_LOOPBACK: test-only, refused when NODE_ENV=production',
      ]),
    );
  });
});
