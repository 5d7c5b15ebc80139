import { isLoopbackAddress, metricsAccess, MetricsRequest } from './metrics-access';

const TOKEN = 'm'.repeat(40);
const req = (over: Partial<MetricsRequest> & { remote?: string }): MetricsRequest => ({
  ip: over.ip ?? over.remote,
  socket: { remoteAddress: over.remote },
  headers: over.headers ?? {},
});

describe(metricsAccess.name, () => {
  it('should answer loopback callers without a token', () => {
    for (const remote of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.8.9.10']) {
      expect(metricsAccess(req({ remote }), { token: null, trustProxy: false })).toBe('allowed');
      expect(metricsAccess(req({ remote }), { token: TOKEN, trustProxy: false })).toBe('allowed');
    }
  });

  it('should refuse other callers: loopback only without METRICS_TOKEN, a bearer token with it', () => {
    for (const remote of ['10.0.0.5', '203.0.113.7', '::ffff:192.168.1.2', '2001:db8::1']) {
      expect(metricsAccess(req({ remote }), { token: null, trustProxy: false })).toBe('loopback_only');
      expect(metricsAccess(req({ remote }), { token: TOKEN, trustProxy: false })).toBe('token_required');
      expect(
        metricsAccess(req({ remote, headers: { authorization: `Bearer ${TOKEN}` } }), { token: TOKEN, trustProxy: false }),
      ).toBe('allowed');
    }
  });

  it('should refuse a wrong, truncated or differently-schemed token, even from loopback', () => {
    for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, `Basic ${TOKEN}`, 'Bearer', `Bearer  `]) {
      expect(metricsAccess(req({ remote: '203.0.113.7', headers: { authorization } }), { token: TOKEN, trustProxy: false })).toBe(
        'bad_token',
      );
      expect(metricsAccess(req({ remote: '127.0.0.1', headers: { authorization } }), { token: TOKEN, trustProxy: false })).toBe(
        'bad_token',
      );
    }
  });

  it('should not treat a request forwarded by a proxy on the same host as local', () => {
    const headers = { 'x-forwarded-for': '203.0.113.7' };
    // Untrusted proxy: express keeps the socket address, but the request came from elsewhere.
    expect(metricsAccess(req({ remote: '127.0.0.1', headers }), { token: null, trustProxy: false })).toBe('loopback_only');
    expect(metricsAccess(req({ remote: '127.0.0.1', headers: { forwarded: 'for=203.0.113.7' } }), { token: TOKEN, trustProxy: false })).toBe(
      'token_required',
    );
    // Trusted proxy: express resolved the client address.
    expect(metricsAccess(req({ remote: '127.0.0.1', ip: '203.0.113.7', headers }), { token: null, trustProxy: 'loopback' })).toBe(
      'loopback_only',
    );
    expect(
      metricsAccess(req({ remote: '127.0.0.1', ip: '127.0.0.1', headers: { 'x-forwarded-for': '127.0.0.1' } }), {
        token: null,
        trustProxy: 'loopback',
      }),
    ).toBe('allowed');
  });

  it('should never take a forged X-Forwarded-For for loopback', () => {
    const headers = { 'x-forwarded-for': '127.0.0.1' };
    expect(metricsAccess(req({ remote: '203.0.113.7', headers }), { token: null, trustProxy: false })).toBe('loopback_only');
  });
});

describe(isLoopbackAddress.name, () => {
  it('should know loopback addresses and nothing else', () => {
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1'].every(isLoopbackAddress)).toBe(true);
    expect(['0.0.0.0', '::', '128.0.0.1', '::ffff:10.0.0.1', 'localhost', '', undefined].some((a) => isLoopbackAddress(a))).toBe(false);
  });
});
