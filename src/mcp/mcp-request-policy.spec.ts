import { McpRequestPolicy } from './mcp-request-policy';

describe(McpRequestPolicy.name, () => {
  describe('on a loopback issuer', () => {
    const sut = new McpRequestPolicy('http://127.0.0.1:8000', ['https://inspector.example']);

    it('should allow no Origin, the issuer origin and listed origins', () => {
      expect(sut.isOriginAllowed(undefined)).toBe(true);
      expect(sut.isOriginAllowed('http://127.0.0.1:8000')).toBe(true);
      expect(sut.isOriginAllowed('HTTPS://Inspector.example')).toBe(true);
    });

    it('should allow the other loopback spellings of the issuer, same scheme and port only', () => {
      for (const origin of ['http://localhost:8000', 'http://[::1]:8000', 'http://LOCALHOST:8000'])
        expect(sut.isOriginAllowed(origin)).toBe(true);
      for (const origin of [
        'https://localhost:8000',
        'http://localhost:8001',
        'http://localhost',
        'http://127.0.0.2:8000',
        'http://localhost.evil.example:8000',
      ])
        expect(sut.isOriginAllowed(origin)).toBe(false);
    });

    it('should refuse other origins, other ports and opaque origins', () => {
      expect(sut.isOriginAllowed('http://evil.example')).toBe(false);
      expect(sut.isOriginAllowed('http://127.0.0.1:9000')).toBe(false);
      expect(sut.isOriginAllowed('null')).toBe(false);
      expect(sut.isOriginAllowed('file:///etc/passwd')).toBe(false);
    });

    it('should allow only loopback Host names, on any port', () => {
      for (const host of [
        'localhost',
        'localhost:3000',
        '127.0.0.1:54321',
        '[::1]:8000',
        '[::1]',
      ]) {
        expect(sut.isHostAllowed(host)).toBe(true);
      }
      for (const host of ['evil.example', 'evil.example:8000', '127.0.0.1.nip.io', undefined, '']) {
        expect(sut.isHostAllowed(host)).toBe(false);
      }
    });
  });

  it('should not restrict Host when the issuer is a public name', () => {
    const sut = new McpRequestPolicy('https://mcp.example.com');
    expect(sut.isHostAllowed('internal-lb:8080')).toBe(true);
    expect(sut.isOriginAllowed('https://mcp.example.com')).toBe(true);
    expect(sut.isOriginAllowed('http://mcp.example.com')).toBe(false);
    expect(sut.isOriginAllowed('https://localhost')).toBe(false);
  });
});
