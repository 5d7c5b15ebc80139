import express from 'express';
import request from 'supertest';
import { sendHtml } from './html/send-html';
import { helmetFor, securityHeaders } from './security-headers';

function app(https: boolean) {
  const a = express();
  a.use(securityHeaders({ https }));
  a.get('/json', (_req, res) => res.json({ ok: true }));
  a.get('/page', (_req, res) => sendHtml(res, 200, '<html><style>p{}</style><p>hi</p></html>'));
  return a;
}

describe(securityHeaders.name, () => {
  it('should send nosniff, DENY, no-referrer and a deny-all CSP on every response', async () => {
    const res = await request(app(false)).get('/json').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
    );
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('should send HSTS only for an https issuer', async () => {
    expect(
      (await request(app(false)).get('/json')).headers['strict-transport-security'],
    ).toBeUndefined();
    expect((await request(app(true)).get('/json')).headers['strict-transport-security']).toBe(
      'max-age=31536000; includeSubDomains',
    );
  });

  it("should leave the pages' own CSP in place", async () => {
    const res = await request(app(false)).get('/page').expect(200);
    expect(res.headers['content-security-policy']).toMatch(
      /^default-src 'none'; style-src 'sha256-[^']+'; /,
    );
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('should not set Cross-Origin-Opener-Policy (popup-based authorization flows need window.opener)', async () => {
    const res = await request(app(false)).get('/page');
    expect(res.headers['cross-origin-opener-policy']).toBeUndefined();
  });

  it.each([false, true])('should send exactly what helmet itself sends, whatever the request (https issuer: %s)', async (https) => {
    const pick = (h: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(h).filter(([k]) => !['date', 'connection', 'keep-alive', 'content-length', 'content-type', 'etag'].includes(k)));
    const real = express().use(helmetFor({ https }) as express.RequestHandler).get('/json', (_req, res) => res.json({ ok: true }));
    for (const req of [
      request(app(https)).get('/json'),
      request(app(https)).get('/json').set('X-Forwarded-Proto', 'https').set('User-Agent', 'MSIE 8.0'),
    ]) {
      const ours = await req;
      const theirs = await request(real).get('/json').set('X-Forwarded-Proto', 'https').set('User-Agent', 'MSIE 8.0');
      expect(pick(ours.headers)).toEqual(pick(theirs.headers));
    }
  });
});
