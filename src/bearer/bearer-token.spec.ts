import { readBearerToken } from './bearer-token';

describe(readBearerToken.name, () => {
  it('should read a bearer token, scheme case-insensitive', () => {
    expect(readBearerToken('Bearer abc.DEF-_~+/==')).toEqual({
      kind: 'token',
      token: 'abc.DEF-_~+/==',
    });
    expect(readBearerToken('bearer xyz')).toEqual({ kind: 'token', token: 'xyz' });
  });

  it('should treat a missing header or another scheme as no credentials', () => {
    expect(readBearerToken(undefined)).toEqual({ kind: 'none' });
    expect(readBearerToken('')).toEqual({ kind: 'none' });
    expect(readBearerToken('Basic dXNlcjpwYXNz')).toEqual({ kind: 'none' });
  });

  it('should treat Bearer with an empty token as no credentials (a 401 challenge, RFC 6750 §3.1)', () => {
    expect(readBearerToken('Bearer')).toEqual({ kind: 'none' });
    expect(readBearerToken('Bearer ')).toEqual({ kind: 'none' });
    expect(readBearerToken('Bearer   ')).toEqual({ kind: 'none' });
  });

  it('should call a bearer header without a usable token malformed', () => {
    expect(readBearerToken('Bearer a b')).toEqual({
      kind: 'malformed',
      reason: 'malformed bearer token',
    });
    expect(readBearerToken('Bearer a"b')).toEqual({
      kind: 'malformed',
      reason: 'malformed bearer token',
    });
    expect(readBearerToken('Bearer =abc')).toEqual({
      kind: 'malformed',
      reason: 'malformed bearer token',
    });
    expect(readBearerToken(`Bearer ${'a'.repeat(8193)}`).kind).toBe('malformed');
    expect(readBearerToken(['Bearer a', 'Bearer b']).kind).toBe('malformed');
  });
});
