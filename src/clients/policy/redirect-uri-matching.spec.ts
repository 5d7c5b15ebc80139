import { redirectUriMatches } from './redirect-uri-rules';

describe(redirectUriMatches.name, () => {
  const registered = 'https://app.example.com/callback';

  it('should accept only a byte-identical https URI', () => {
    expect(redirectUriMatches(registered, registered, true)).toBe(true);
    for (const variant of [
      'https://app.example.com/callback/',
      'https://app.example.com/callback?x=1',
      'https://app.example.com/callback#f',
      'https://APP.example.com/callback',
      'https://app.example.com/Callback',
      'https://app.example.com:443/callback',
      'http://app.example.com/callback',
      'https://app.example.com/callback/../callback',
    ]) {
      expect(redirectUriMatches(variant, registered, true)).toBe(false);
    }
  });

  it('should let only the port vary, for loopback IP literals of native or public clients (RFC 8252 §7.3)', () => {
    expect(redirectUriMatches('http://127.0.0.1:49152/cb', 'http://127.0.0.1/cb', true)).toBe(true);
    expect(redirectUriMatches('http://127.0.0.1:49152/cb', 'http://127.0.0.1:33418/cb', true)).toBe(
      true,
    );
    expect(redirectUriMatches('http://[::1]:8080/cb', 'http://[::1]/cb', true)).toBe(true);
    expect(redirectUriMatches('http://127.0.0.1:1/other', 'http://127.0.0.1/cb', true)).toBe(false);
    expect(redirectUriMatches('http://localhost:1/cb', 'http://127.0.0.1/cb', true)).toBe(false);
    expect(redirectUriMatches('http://127.0.0.1:1/cb?x', 'http://127.0.0.1/cb', true)).toBe(false);
    expect(redirectUriMatches('https://127.0.0.1:1/cb', 'https://127.0.0.1/cb', true)).toBe(false);
    expect(redirectUriMatches('http://evil.com:1/cb', 'http://evil.com/cb', true)).toBe(false);
  });

  it('should never let the port vary for localhost (RFC 8252 §8.3)', () => {
    expect(redirectUriMatches('http://localhost:5173/cb', 'http://localhost:3000/cb', true)).toBe(
      false,
    );
    expect(redirectUriMatches('http://localhost:3000/cb', 'http://localhost:3000/cb', true)).toBe(
      true,
    );
  });

  it('should compare exactly for a confidential web client', () => {
    expect(redirectUriMatches('http://127.0.0.1:49152/cb', 'http://127.0.0.1/cb', false)).toBe(
      false,
    );
    expect(redirectUriMatches('http://127.0.0.1/cb', 'http://127.0.0.1/cb', false)).toBe(true);
  });
});
