import { defaultIssuer, validateEnv } from './validate-env';

describe(defaultIssuer.name, () => {
  it('should follow PORT, and HOST unless it is a wildcard', () => {
    expect(defaultIssuer('0.0.0.0', 8000)).toBe('http://localhost:8000');
    expect(defaultIssuer('::', 23000)).toBe('http://localhost:23000');
    expect(defaultIssuer('127.0.0.1', 23000)).toBe('http://127.0.0.1:23000');
    expect(defaultIssuer('::1', 9000)).toBe('http://[::1]:9000');
    expect(defaultIssuer('auth.internal', 80)).toBe('http://auth.internal:80');
  });

  it('should be what validateEnv uses when ISSUER is unset, and never override a given ISSUER', () => {
    expect(validateEnv({ PORT: '23000' }).ISSUER).toBe('http://localhost:23000');
    expect(validateEnv({ PORT: '23000', HOST: '127.0.0.1' }).ISSUER).toBe('http://127.0.0.1:23000');
    expect(validateEnv({}).ISSUER).toBe('http://localhost:8000');
    expect(validateEnv({ PORT: '23000', ISSUER: 'https://auth.example.com' }).ISSUER).toBe('https://auth.example.com');
  });

  it('should leave a malformed HOST to its own rule and keep a valid URL', () => {
    expect(defaultIssuer('bad host/../x', 8000)).toBe('http://localhost:8000');
  });
});
