import { constantTimeEqual, sha256Base64Url } from './hashing';

describe('hashing', () => {
  it('should compare strings of any length without throwing', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abc\0')).toBe(false);
    expect(constantTimeEqual('', 'x'.repeat(500))).toBe(false);
  });

  it('should compute the RFC 7636 appendix B S256 challenge', () => {
    expect(sha256Base64Url('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });
});
