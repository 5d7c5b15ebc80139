import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { AuditService } from 'src/audit/audit.service';
import { Clock } from 'src/common/clock';
import { DEMO_CLIENT, DEMO_USER } from 'src/seed/demo-data';
import { basic, insertClient } from '../factories/client.factory';
import { MutableClock } from '../fakes/mutable-clock';
import {
  authorizeAsUser,
  browser,
  demoBasic,
  exchangeCode,
  formFields,
  signIn,
} from '../support/browser';
import { createTestApp, TestApp } from './create-test-app';

/**
 * ARCHITECTURE.md §7: no secret, token, code or password appears in a log line or an audit row.
 * Runs every flow at LOG_LEVEL=debug, collects every secret value it sees, then searches the
 * captured log lines and every audit_events row for each of them.
 */
describe('Secrets never leak into logs or the audit trail (e2e)', () => {
  let t: TestApp;
  const clock = new MutableClock();
  afterEach(() => clock.reset());
  /** name → value of every secret the flows handled. */
  const secrets = new Map<string, string>();
  const keep = (name: string, value: unknown) => {
    if (typeof value !== 'string' || value.length < 8)
      throw new Error(`no usable secret for ${name}`);
    secrets.set(name, value);
  };
  const form = (path: string, body: Record<string, string>, auth?: string) => {
    const req = request(t.http).post(path).type('form');
    if (auth) req.set('Authorization', auth);
    return req.send(body);
  };

  beforeAll(async () => {
    t = await createTestApp({
      env: { LOG_LEVEL: 'debug' },
      override: (b) => b.overrideProvider(Clock).useValue(clock),
    });
    keep('demo client secret', DEMO_CLIENT.clientSecret);
    keep('demo password', DEMO_USER.password);
  });
  afterAll(() => t.close());

  it('should run the browser flow, the code exchange and a code replay', async () => {
    const flow = await authorizeAsUser(t.http, { state: 'state-value-1' });
    keep('code', flow.code);
    keep('code_verifier', flow.verifier);
    const tokens = (await exchangeCode(t.http, flow.code, flow.verifier).expect(200)).body;
    keep('access token', tokens.access_token);
    keep('refresh token', tokens.refresh_token);
    const replay = await exchangeCode(t.http, flow.code, flow.verifier);
    expect(replay.body.error).toBe('invalid_grant');
  });

  it('should refresh, replay a refresh token after the grace window, revoke and introspect', async () => {
    const flow = await authorizeAsUser(t.http);
    const first = (await exchangeCode(t.http, flow.code, flow.verifier).expect(200)).body;
    keep('code 2', flow.code);
    keep('code_verifier 2', flow.verifier);
    keep('access token 2', first.access_token);
    keep('refresh token 2', first.refresh_token);
    const second = (
      await form(
        '/oauth/token',
        { grant_type: 'refresh_token', refresh_token: first.refresh_token },
        demoBasic(),
      ).expect(200)
    ).body;
    keep('refreshed access token', second.access_token);
    keep('refreshed refresh token', second.refresh_token);
    clock.advance(120);
    const replay = await form(
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      demoBasic(),
    );
    expect(replay.body.error).toBe('invalid_grant');

    const third = await authorizeAsUser(t.http);
    const live = (await exchangeCode(t.http, third.code, third.verifier).expect(200)).body;
    keep('code 3', third.code);
    keep('code_verifier 3', third.verifier);
    keep('access token 3', live.access_token);
    keep('refresh token 3', live.refresh_token);
    expect(
      (await form('/oauth/introspect', { token: live.access_token }, demoBasic()).expect(200)).body
        .active,
    ).toBe(true);
    expect(
      (await form('/oauth/introspect', { token: live.refresh_token }, demoBasic()).expect(200)).body
        .active,
    ).toBe(true);
    await form(
      '/oauth/revoke',
      { token: live.refresh_token, token_type_hint: 'refresh_token' },
      demoBasic(),
    ).expect(200);
    await form('/oauth/revoke', { token: live.access_token }, demoBasic()).expect(200);
    expect(
      (await form('/oauth/introspect', { token: live.access_token }, demoBasic()).expect(200)).body
        .active,
    ).toBe(false);
  });

  it('should run client_credentials with Basic and with client_secret_post, and a wrong secret', async () => {
    const client = await insertClient(t.dataSource, { grantTypes: ['client_credentials'] });
    keep('inserted client secret', client.clientSecret);
    const res = await form(
      '/oauth/token',
      { grant_type: 'client_credentials', scope: 'read' },
      basic(client.clientId, client.clientSecret!),
    ).expect(200);
    keep('client_credentials access token', res.body.access_token);
    const post = await form('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: DEMO_CLIENT.clientId,
      client_secret: DEMO_CLIENT.clientSecret,
    });
    expect(post.status).toBe(200);
    keep('client_secret_post access token', post.body.access_token);
    const wrongSecret = `wrong-${randomBytes(12).toString('hex')}`;
    keep('wrong client secret', wrongSecret);
    expect(
      (
        await form(
          '/oauth/token',
          { grant_type: 'client_credentials' },
          basic(client.clientId, wrongSecret),
        )
      ).status,
    ).toBe(401);
  });

  it('should call a tool over REST and over MCP', async () => {
    // The earlier tokens are revoked by now (code and refresh replay, revocation): take a new one.
    const flow = await authorizeAsUser(t.http);
    const token = (await exchangeCode(t.http, flow.code, flow.verifier).expect(200)).body
      .access_token;
    keep('code 4', flow.code);
    keep('access token 4', token);
    const rest = await request(t.http)
      .post('/tools/whoami')
      .set('Authorization', `Bearer ${token}`)
      .send({});
    expect(rest.status).toBe(200);
    const mcp = await request(t.http)
      .post('/mcp')
      .set('Authorization', `Bearer ${token}`)
      .set('Accept', 'application/json, text/event-stream')
      .set('MCP-Protocol-Version', '2025-11-25')
      .send({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'whoami', arguments: {} },
      });
    expect(mcp.status).toBe(200);
    const bad = await request(t.http)
      .post('/tools/whoami')
      .set('Authorization', `Bearer ${token}x`)
      .send({});
    expect(bad.status).toBe(401);
    const userinfo = await request(t.http).get('/userinfo').set('Authorization', `Bearer ${token}`);
    expect(userinfo.status).toBe(200);
  });

  it('should register a client dynamically and manage it with its registration access token', async () => {
    const reg = await request(t.http)
      .post('/oauth/register')
      .send({
        client_name: 'Leak test',
        redirect_uris: ['https://leak.example/cb'],
        token_endpoint_auth_method: 'client_secret_post',
      })
      .expect(201);
    keep('registration access token', reg.body.registration_access_token);
    keep('registered client secret', reg.body.client_secret);
    await request(t.http)
      .get(`/oauth/register/${encodeURIComponent(reg.body.client_id)}`)
      .set('Authorization', `Bearer ${reg.body.registration_access_token}`)
      .expect(200);
    const wrongRat = `mcprat_${randomBytes(24).toString('base64url')}`;
    keep('wrong registration access token', wrongRat);
    await request(t.http)
      .get(`/oauth/register/${encodeURIComponent(reg.body.client_id)}`)
      .set('Authorization', `Bearer ${wrongRat}`)
      .expect(401);
  });

  it('should fail logins (unknown user, wrong passwords, locked account) and log in', async () => {
    const agent = browser(t.http);
    const fields = formFields((await agent.get('/login').expect(200)).text);
    for (let i = 0; i < 6; i++) {
      const password = `guess-${i}-${randomBytes(8).toString('hex')}`;
      keep(`failed password ${i}`, password);
      await agent
        .post('/login')
        .type('form')
        .send({ ...fields, username: i === 0 ? 'nobody-here' : 'leak_user', password })
        .expect(400);
    }
    // leak_user does not exist either: lock a real account too.
    await t.dataSource.query(
      `UPDATE users SET failed_login_count = 0, locked_until = NULL WHERE username = $1`,
      [DEMO_USER.username],
    );
    for (let i = 0; i < 5; i++) {
      const password = `demo-guess-${i}-${randomBytes(8).toString('hex')}`;
      keep(`failed demo password ${i}`, password);
      await agent
        .post('/login')
        .type('form')
        .send({ ...fields, username: DEMO_USER.username, password })
        .expect(400);
    }
    // Locked: even the right password fails (and must not be logged either).
    await agent
      .post('/login')
      .type('form')
      .send({ ...fields, username: DEMO_USER.username, password: DEMO_USER.password })
      .expect(400);
    clock.advance(3600);
    expect((await signIn(browser(t.http), '/account/apps')).status).toBe(303);
  });

  it('should have written no secret to any log line or audit row', async () => {
    await t.app.get(AuditService).flush();
    const audit = JSON.stringify(await t.dataSource.query('SELECT * FROM audit_events'));
    const logs = t.logs.join('\n');
    const levels = t.logs.map((l) => (JSON.parse(l) as { level: string }).level);
    expect(levels.length).toBeGreaterThan(0);
    expect(audit).toContain('login.failed');
    const leaks: string[] = [];
    for (const [name, value] of secrets) {
      // A JWT's signature is the part that makes it a credential: look for it alone as well.
      const needles = [value, ...(value.split('.').length === 3 ? [value.split('.')[2]] : [])];
      for (const needle of needles.filter((n) => n.length >= 8)) {
        if (logs.includes(needle)) leaks.push(`${name} in the logs`);
        if (audit.includes(needle)) leaks.push(`${name} in audit_events`);
      }
    }
    expect(leaks).toEqual([]);
    expect(secrets.size).toBeGreaterThanOrEqual(30);
  });
});
