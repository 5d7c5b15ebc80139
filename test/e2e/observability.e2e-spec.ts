import request from 'supertest';
import { DEMO_CLIENT, DEMO_USER } from 'src/seed/demo-data';
import { authorizeAsUser, demoBasic, exchangeCode, signIn, browser } from '../support/browser';
import { createTestApp, TestApp } from './create-test-app';

const METRICS_TOKEN = 'metrics-token-0123456789-abcdefghijklmnop';
const OUTSIDE = '203.0.113.7';

interface AccessLine {
  level: string;
  time: string;
  requestId: string;
  method: string;
  route: string;
  path: string;
  status: number;
  durationMs: number;
  msg: string;
  clientId?: string;
  subject?: string;
  error?: string;
}

const accessLines = (t: TestApp): AccessLine[] =>
  t.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => 'route' in e && 'status' in e) as unknown as AccessLine[];

/** Every form a secret can take on its way into a log line or a label. */
function encodings(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
    Buffer.from(`${DEMO_CLIENT.clientId}:${secret}`).toString('base64'),
  ];
}

describe('Metrics and access log (e2e)', () => {
  describe('with METRICS_TOKEN, behind a trusted loopback proxy, at LOG_LEVEL=debug', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        env: { LOG_LEVEL: 'debug', METRICS_TOKEN, TRUST_PROXY: 'loopback', REFRESH_GRACE_SECONDS: '0' },
      });
    });
    afterAll(() => t.close());

    it('should answer /metrics to a loopback caller without a token', async () => {
      const res = await request(t.http).get('/metrics').expect(200);
      expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(res.text).toContain('# TYPE http_requests_total counter');
    });

    it('should refuse a caller from elsewhere without the token or with a wrong one, and answer with it', async () => {
      const none = await request(t.http).get('/metrics').set('X-Forwarded-For', OUTSIDE).expect(401);
      expect(none.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(none.text).not.toContain('http_requests_total');

      const wrong = await request(t.http)
        .get('/metrics')
        .set('X-Forwarded-For', OUTSIDE)
        .set('Authorization', `Bearer ${METRICS_TOKEN}x`)
        .expect(401);
      expect(wrong.body.error).toBe('invalid_token');
      expect(wrong.headers['www-authenticate']).toMatch(/^Bearer realm="metrics", error="invalid_token"/);

      const basic = await request(t.http)
        .get('/metrics')
        .set('X-Forwarded-For', OUTSIDE)
        .set('Authorization', `Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString('base64')}`)
        .expect(401);
      expect(basic.body.error).toBe('invalid_token');

      const ok = await request(t.http)
        .get('/metrics')
        .set('X-Forwarded-For', OUTSIDE)
        .set('Authorization', `Bearer ${METRICS_TOKEN}`)
        .expect(200);
      expect(ok.text).toContain('http_requests_total');
    });

    it('should never trust a loopback address forged in X-Forwarded-For by a non-loopback client', async () => {
      // The proxy (loopback, trusted) appends the real client; express takes the right-most untrusted.
      await request(t.http).get('/metrics').set('X-Forwarded-For', `127.0.0.1, ${OUTSIDE}`).expect(401);
    });

    it('should show every metric family after a flow, with route patterns, and no secret anywhere', async () => {
      // An app of its own: the counters below are exact, so no other test may add to them (--randomize).
      const t = await createTestApp({
        env: { LOG_LEVEL: 'debug', METRICS_TOKEN, TRUST_PROXY: 'loopback', REFRESH_GRACE_SECONDS: '0' },
      });
      try {
      // A flow that handles every kind of secret: password, client secret, code, verifier, tokens.
      const flow = await authorizeAsUser(t.http, { state: 'state-abc' });
      const tokens = (await exchangeCode(t.http, flow.code, flow.verifier).expect(200)).body;
      const refreshed = await request(t.http)
        .post('/oauth/token')
        .set('Authorization', demoBasic())
        .type('form')
        .send({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
        .expect(200);
      await request(t.http)
        .get('/userinfo')
        .set('Authorization', `Bearer ${refreshed.body.access_token}`)
        .expect(200);
      await request(t.http)
        .post('/tools/greet')
        .set('Authorization', `Bearer ${refreshed.body.access_token}`)
        .send({ name: 'World' })
        .expect(200);
      // Replays (each revokes the grant): the rotated refresh token, then the code.
      await request(t.http)
        .post('/oauth/token')
        .set('Authorization', demoBasic())
        .type('form')
        .send({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
        .expect(400);
      await exchangeCode(t.http, flow.code, flow.verifier).expect(400);
      // Secrets in places they do not belong: the query string, a wrong password, a bad token.
      await request(t.http).get(`/health/live?access_token=${tokens.access_token}&code=${flow.code}`).expect(200);
      await signIn(browser(t.http), '/account/apps', DEMO_USER.username, 'wrong-password-xyz');
      await request(t.http).get('/userinfo').set('Authorization', `Bearer ${tokens.access_token}x`).expect(401);
      await request(t.http)
        .post('/oauth/token')
        .set('Authorization', `Basic ${Buffer.from(`${DEMO_CLIENT.clientId}:not-the-secret-123`).toString('base64')}`)
        .type('form')
        .send({ grant_type: 'client_credentials' })
        .expect(401);
      await request(t.http).get(`/admin/clients/${DEMO_CLIENT.clientId}`).expect(401);
      await request(t.http).post('/token').type('form').send({ grant_type: 'password', password: 'pw-in-a-form-123' }).expect(401);

      const metrics = (await request(t.http).get('/metrics').expect(200)).text;
      for (const family of [
        'http_requests_total',
        'http_request_duration_seconds',
        'mcp_oauth_token_requests_total',
        'mcp_oauth_authorization_code_replays_total',
        'mcp_oauth_refresh_token_replays_total',
        'mcp_oauth_rate_limit_hits_total',
        'mcp_oauth_login_failures_total',
        'mcp_oauth_login_lockouts_total',
        'mcp_oauth_db_pool_connections',
        'mcp_oauth_db_pool_waiting',
        'mcp_oauth_bcrypt_queue',
        'mcp_oauth_bcrypt_active',
        'mcp_oauth_revocation_broadcast_lag_seconds',
        'mcp_oauth_audit_queue',
        'mcp_oauth_audit_events_dropped_total',
        'mcp_oauth_audit_events_total',
        'process_cpu_seconds_total',
        'process_resident_memory_bytes',
        'nodejs_eventloop_lag_p99_seconds',
      ]) {
        expect(metrics).toContain(`# TYPE ${family} `);
      }
      expect(metrics).toMatch(/http_requests_total\{method="POST",route="\/oauth\/token",status="200"\} 2\n/);
      expect(metrics).toContain('mcp_oauth_token_requests_total{grant_type="authorization_code",outcome="success"} 1');
      expect(metrics).toContain('mcp_oauth_token_requests_total{grant_type="authorization_code",outcome="invalid_grant"} 1');
      expect(metrics).toContain('mcp_oauth_token_requests_total{grant_type="refresh_token",outcome="success"} 1');
      expect(metrics).toContain('mcp_oauth_token_requests_total{grant_type="client_credentials",outcome="invalid_client"} 1');
      expect(metrics).toContain('mcp_oauth_token_requests_total{grant_type="refresh_token",outcome="invalid_grant"} 1');
      expect(metrics).toContain('mcp_oauth_token_requests_total{grant_type="other",outcome="invalid_client"} 1');
      expect(metrics).toContain('http_requests_total{method="POST",route="/token",status="401"} 1');
      expect(metrics).toContain('mcp_oauth_authorization_code_replays_total 1');
      expect(metrics).toContain('mcp_oauth_refresh_token_replays_total 1');
      expect(metrics).toContain('mcp_oauth_login_failures_total{reason="bad_password"} 1');
      if (t.config.db.kind === 'postgres') {
        // The replays revoked the grant: its notice went out over LISTEN/NOTIFY and came back.
        let lag = metrics;
        for (let i = 0; i < 20 && !/lag_seconds_count\{source="self"\} [1-9]/.test(lag); i++) {
          await new Promise((r) => setTimeout(r, 100));
          lag = (await request(t.http).get('/metrics').expect(200)).text;
        }
        expect(lag).toMatch(/mcp_oauth_revocation_broadcast_lag_seconds_count\{source="self"\} [1-9]/);
      }
      // Route patterns, never raw paths (no client id, no query string).
      expect(metrics).toContain('route="/admin/clients/:id"');
      expect(metrics).not.toContain(`/admin/clients/${DEMO_CLIENT.clientId}`);
      expect(metrics).toContain('route="/tools/:name"');

      const logs = t.logs.join('\n');
      const secrets = {
        password: DEMO_USER.password,
        'wrong password': 'wrong-password-xyz',
        'client secret': DEMO_CLIENT.clientSecret,
        'wrong client secret': 'not-the-secret-123',
        code: flow.code,
        verifier: flow.verifier,
        'access token': tokens.access_token,
        'access token signature': tokens.access_token.split('.')[2],
        'refresh token': tokens.refresh_token,
        'refreshed access token': refreshed.body.access_token,
        'refreshed refresh token': refreshed.body.refresh_token,
        'metrics token': METRICS_TOKEN,
        'password in a form': 'pw-in-a-form-123',
      };
      const leaks: string[] = [];
      for (const [name, secret] of Object.entries(secrets)) {
        expect(typeof secret).toBe('string');
        for (const form of encodings(secret)) {
          if (logs.includes(form)) leaks.push(`${name} in the logs`);
          if (metrics.includes(form)) leaks.push(`${name} in the metrics`);
        }
      }
      expect(leaks).toEqual([]);
      } finally {
        await t.close();
      }
    });

    it('should write exactly one access line per request, with its id, route, status, duration and actor', async () => {
      const before = accessLines(t).length;
      const tokenRes = await request(t.http)
        .post('/oauth/token')
        .set('Authorization', demoBasic())
        .type('form')
        .send({ grant_type: 'client_credentials', scope: 'read' })
        .expect(200);
      const tool = await request(t.http)
        .post('/tools/greet')
        .set('Authorization', `Bearer ${tokenRes.body.access_token}`)
        .set('X-Request-Id', 'trace-0123456789')
        .send({ name: 'log' })
        .expect(200);
      const missing = await request(t.http).get('/no/such/page?token=abc').expect(404);
      const lines = accessLines(t).slice(before);
      expect(lines).toHaveLength(3);

      const [token, call, notFound] = lines;
      expect(token).toMatchObject({
        level: 'info',
        method: 'POST',
        route: '/oauth/token',
        path: '/oauth/token',
        status: 200,
        clientId: DEMO_CLIENT.clientId,
        requestId: tokenRes.headers['x-request-id'],
        msg: 'POST /oauth/token 200',
      });
      expect(typeof token.durationMs).toBe('number');
      expect(token.time).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(call).toMatchObject({
        route: '/tools/:name',
        path: '/tools/greet',
        status: 200,
        requestId: 'trace-0123456789',
        clientId: DEMO_CLIENT.clientId,
        subject: DEMO_CLIENT.clientId,
      });
      expect(tool.headers['x-request-id']).toBe('trace-0123456789');
      expect(notFound).toMatchObject({ route: '(unmatched)', path: '/no/such/page', status: 404, error: 'not_found' });
      expect(missing.headers['x-request-id']).toBe(notFound.requestId);
      // Nothing but the chosen fields: no headers, query, body or cookies.
      for (const line of lines) {
        expect(Object.keys(line).sort()).toEqual(
          expect.arrayContaining(['durationMs', 'level', 'method', 'msg', 'path', 'requestId', 'route', 'status', 'time']),
        );
        expect(Object.keys(line).every((k) => ['clientId', 'subject', 'error', 'durationMs', 'level', 'method', 'msg', 'path', 'requestId', 'route', 'status', 'time'].includes(k))).toBe(true);
      }
    });

    it('should serve the landing page the metadata points to', async () => {
      const meta = (await request(t.http).get('/.well-known/oauth-authorization-server').expect(200)).body;
      expect(meta.service_documentation).toBe(`${t.config.issuer}/`);
      const page = await request(t.http).get('/').expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toContain(`${t.config.issuer}/mcp`);
      expect(page.text).toContain(`${t.config.issuer}/.well-known/oauth-authorization-server`);
      expect(page.text).toContain('@modelcontextprotocol/inspector');
      expect(page.text).not.toContain(DEMO_USER.password);
      expect(page.text).not.toContain(DEMO_CLIENT.clientSecret);
    });
  });

  describe('without METRICS_TOKEN, trusting no proxy, at the default level', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env: { LOG_LEVEL: 'log' } });
    });
    afterAll(() => t.close());

    it('should start with a handful of lines, none per module or route', () => {
      const startup = t.logs.map((l) => JSON.parse(l) as { msg?: string; context?: string });
      expect(startup.length).toBeLessThanOrEqual(10);
      expect(startup.some((e) => /Mapped \{|dependencies initialized/.test(e.msg ?? ''))).toBe(false);
    });

    it('should refuse /metrics to a request forwarded by an untrusted proxy, and say how to allow it', async () => {
      await request(t.http).get('/metrics').expect(200);
      const res = await request(t.http).get('/metrics').set('X-Forwarded-For', OUTSIDE).expect(403);
      expect(res.body).toEqual({
        error: 'access_denied',
        error_description: 'metrics are served to loopback callers only; set METRICS_TOKEN to allow others',
      });
      // A bearer token means nothing when none is configured: still loopback only.
      await request(t.http).get('/metrics').set('X-Forwarded-For', OUTSIDE).set('Authorization', 'Bearer guess').expect(403);
    });
  });

  describe('with METRICS_ENABLED=false', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env: { METRICS_ENABLED: 'false' } });
    });
    afterAll(() => t.close());

    it('should answer /metrics with 404', async () => {
      const res = await request(t.http).get('/metrics').expect(404);
      expect(res.body.error).toBe('not_found');
    });
  });
});
