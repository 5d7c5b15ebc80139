import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { QueryFailedError } from 'typeorm';
import { AuditService } from 'src/audit/audit.service';
import { AuthorizationCodesService } from 'src/authorization/authorization-codes.service';
import { ClientAuthenticator } from 'src/clients/client-authenticator.service';
import { Clock } from 'src/common/clock';
import { DEMO_CLIENT, DEMO_USER } from 'src/seed/demo-data';
import { TokenVerifier } from 'src/tokens/keys/token-verifier';
import { UsersService } from 'src/users/users.service';
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
 * docs/architecture.md §7: no secret, token, code or password appears in a log line, an audit row, or
 * anything the process writes to stdout or stderr, in plain or encoded form (base64 and the Basic
 * credentials built from it, percent-encoding, a JWT's signature alone), on the success paths and
 * on the error paths (400/401 and 500s raised mid-request). Every flow runs at LOG_LEVEL=debug and
 * each test checks its own secrets, so the tests run alone and in any order.
 */
describe('Secrets never leak into logs, output or the audit trail (e2e)', () => {
  let t: TestApp;
  const clock = new MutableClock();
  afterEach(() => clock.reset());
  /** name → value of every secret the current test handled. */
  const secrets = new Map<string, string>();
  const keep = (name: string, value: unknown) => {
    if (typeof value !== 'string' || value.length < 8)
      throw new Error(`no usable secret for ${name}`);
    secrets.set(name, value);
  };
  /** A client's credentials, and the Basic header value made of them. */
  const keepClient = (name: string, clientId: string, secret: unknown) => {
    keep(name, secret);
    keep(`${name} as Basic credentials`, basic(clientId, secret as string).slice('Basic '.length));
  };
  const form = (path: string, body: Record<string, string>, auth?: string) => {
    const req = request(t.http).post(path).type('form');
    if (auth) req.set('Authorization', auth);
    return req.send(body);
  };
  /** Everything written to the process's stdout and stderr, and through console, while the app ran. */
  const output: string[] = [];
  const restore: Array<() => void> = [];

  beforeAll(async () => {
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        output.push(Buffer.isBuffer(chunk) ? chunk.toString('latin1') : String(chunk));
        return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      restore.push(() => (stream.write = original as typeof stream.write));
    }
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      const spy = jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        output.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      });
      restore.push(() => spy.mockRestore());
    }
    t = await createTestApp({
      env: { LOG_LEVEL: 'debug' },
      override: (b) => b.overrideProvider(Clock).useValue(clock),
    });
  });
  afterAll(async () => {
    await t.close();
    for (const undo of restore.splice(0)) undo();
  });

  beforeEach(() => {
    secrets.clear();
    keepClient('demo client secret', DEMO_CLIENT.clientId, DEMO_CLIENT.clientSecret);
    keep('demo password', DEMO_USER.password);
  });

  /**
   * HOOK (metrics, issue 13.1): the /metrics text is one more output a secret must never reach.
   * Until the metrics endpoint exists this answers 404 and adds nothing; once it is merged, make
   * this expect 200 so the check cannot fall away silently.
   */
  async function metricsOutput(): Promise<string> {
    const res = await request(t.http).get('/metrics');
    return res.status === 200 ? res.text : '';
  }

  /** Every form in which a secret could be written down by a careless line of code. */
  function encodings(value: string): string[] {
    const forms = new Set<string>([
      value,
      encodeURIComponent(value),
      new URLSearchParams({ v: value }).toString().slice(2),
      Buffer.from(value).toString('base64'),
      Buffer.from(value).toString('base64url'),
      JSON.stringify(value).slice(1, -1),
    ]);
    // A JWT's signature is the part that makes it a credential: look for it alone as well.
    if (value.split('.').length === 3) forms.add(value.split('.')[2]);
    return [...forms].filter((f) => f.length >= 8);
  }

  /** Searches the log lines, audit rows, stdout/stderr and metrics for every secret of this test. */
  async function expectNoLeak(expectedSecrets: number): Promise<void> {
    await t.app.get(AuditService).flush();
    const places: Record<string, string> = {
      'the logs': t.logs.join('\n'),
      audit_events: JSON.stringify(await t.dataSource.query('SELECT * FROM audit_events')),
      'stdout/stderr': output.join(''),
      '/metrics': await metricsOutput(),
    };
    expect(t.logs.length).toBeGreaterThan(0); // debug logging was on: there was something to search
    const leaks: string[] = [];
    for (const [name, value] of secrets) {
      for (const needle of encodings(value)) {
        for (const [place, haystack] of Object.entries(places)) {
          if (haystack.includes(needle)) leaks.push(`${name} (${needle === value ? 'plain' : 'encoded'}) in ${place}`);
        }
      }
    }
    expect(leaks).toEqual([]);
    expect(secrets.size).toBe(expectedSecrets);
  }

  it('should run the browser flow, the code exchange and a code replay', async () => {
    const flow = await authorizeAsUser(t.http, { state: 'state-value-1' });
    keep('code', flow.code);
    keep('code_verifier', flow.verifier);
    const tokens = (await exchangeCode(t.http, flow.code, flow.verifier).expect(200)).body;
    keep('access token', tokens.access_token);
    keep('refresh token', tokens.refresh_token);
    const replay = await exchangeCode(t.http, flow.code, flow.verifier);
    expect(replay.body.error).toBe('invalid_grant');
    await expectNoLeak(7);
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
    await expectNoLeak(13);
  });

  it('should run client_credentials with Basic and with client_secret_post, and a wrong secret', async () => {
    const client = await insertClient(t.dataSource, { grantTypes: ['client_credentials'] });
    keepClient('inserted client secret', client.clientId, client.clientSecret);
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
    keepClient('wrong client secret', client.clientId, wrongSecret);
    expect(
      (
        await form(
          '/oauth/token',
          { grant_type: 'client_credentials' },
          basic(client.clientId, wrongSecret),
        )
      ).status,
    ).toBe(401);
    await expectNoLeak(9);
  });

  it('should call a tool over REST and over MCP', async () => {
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
    await expectNoLeak(5);
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
    keepClient('registered client secret', reg.body.client_id, reg.body.client_secret);
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
    await expectNoLeak(7);
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
    await expectNoLeak(14);
  });

  it('should log 500s raised mid-request without the credentials, codes and tokens they carried', async () => {
    const flow = await authorizeAsUser(t.http);
    keep('code 5', flow.code);
    keep('code_verifier 5', flow.verifier);
    const token = (await exchangeCode(t.http, flow.code, flow.verifier).expect(200)).body;
    keep('access token 5', token.access_token);
    keep('refresh token 5', token.refresh_token);
    const firstLog = t.logs.length;
    // Database failures as the pg driver reports them: some echo the offending value
    // ('invalid input syntax for type uuid: "…"'), and TypeORM keeps the query parameters.
    const dbError = (value: string) =>
      new QueryFailedError('SELECT 1 WHERE $1 = $1', [value], new Error(`invalid input syntax for type uuid: "${value}"`));
    /** Makes the next call of `method` fail with `error(args)`; returns the undo. */
    const failOnce = (target: object, method: string, error: (...args: string[]) => Error) => {
      const spy = jest
        .spyOn(target as Record<string, (...args: string[]) => Promise<unknown>>, method)
        .mockImplementationOnce(async (...args: string[]) => {
          throw error(...args);
        });
      return () => spy.mockRestore();
    };
    const failures: Array<{ restore: () => void; call: () => Promise<request.Response> }> = [
      {
        restore: failOnce(t.app.get(ClientAuthenticator), 'authenticate', () => new Error('connection terminated unexpectedly')),
        call: () => form('/oauth/token', { grant_type: 'refresh_token', refresh_token: token.refresh_token }, demoBasic()),
      },
      {
        restore: failOnce(t.app.get(AuthorizationCodesService), 'consume', (code) => dbError(code)),
        call: () => exchangeCode(t.http, flow.code, flow.verifier),
      },
      {
        restore: failOnce(t.app.get(TokenVerifier), 'verify', (presented) => dbError(presented)),
        call: () => request(t.http).post('/tools/whoami').set('Authorization', `Bearer ${token.access_token}`).send({}),
      },
    ];
    for (const failure of failures) {
      try {
        const res = await failure.call();
        expect({ status: res.status, body: res.body }).toEqual({
          status: 500,
          body: { error: 'server_error', error_description: 'internal server error' },
        });
      } finally {
        failure.restore();
      }
    }
    // The login form's 500 is a page; the password was in the form.
    const agent = browser(t.http);
    const fields = formFields((await agent.get('/login').expect(200)).text);
    const undo = failOnce(t.app.get(UsersService), 'authenticate', () => new Error('connection terminated unexpectedly'));
    try {
      const res = await agent.post('/login').type('form').send({ ...fields, username: DEMO_USER.username, password: DEMO_USER.password });
      expect(res.status).toBe(500);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).not.toContain(DEMO_USER.password);
    } finally {
      undo();
    }
    // Each 500 was logged as an error (so the search below looked at real error lines).
    // One "unhandled error" line and one access line (status 500) each.
    const errors = t.logs.slice(firstLog).filter((l) => /"level":"error"/.test(l));
    expect(errors.filter((l) => /"msg":"unhandled error on /.test(l))).toHaveLength(4);
    expect(errors.filter((l) => /"status":500,/.test(l))).toHaveLength(4);
    expect(errors).toHaveLength(8);
    await expectNoLeak(7);
  });

  it('should not echo secrets from a body it cannot parse or a request it refuses', async () => {
    const client = await insertClient(t.dataSource, { grantTypes: ['client_credentials'] });
    keepClient('inserted client secret', client.clientId, client.clientSecret);
    const password = `Pa55-${randomBytes(9).toString('base64url')}`;
    keep('password in a broken JSON body', password);
    // A JSON parser's message quotes the text around the error: the secrets sit right before it.
    const broken = await request(t.http)
      .post('/oauth/register')
      .set('Content-Type', 'application/json')
      .send(`{"client_secret":"${client.clientSecret}","password":"${password}",}`);
    expect(broken.status).toBe(400);
    expect(broken.body.error).toBe('invalid_request');
    // Credentials in the query string and a percent-encoded Basic header on a refused request.
    const inQuery = await request(t.http).post(`/oauth/token?client_secret=${encodeURIComponent(client.clientSecret!)}`).type('form').send({ grant_type: 'client_credentials', client_id: client.clientId });
    // The query string is not where credentials go (OAuth 2.1 §2.4.1): the client is unauthenticated.
    expect({ status: inQuery.status, error: inQuery.body.error }).toEqual({ status: 401, error: 'invalid_client' });
    const encodedBasic = `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret!)}x`).toString('base64')}`;
    keep('wrong percent-encoded Basic credentials', encodedBasic.slice('Basic '.length));
    expect((await form('/oauth/token', { grant_type: 'client_credentials' }, encodedBasic)).status).toBe(401);
    await expectNoLeak(7);
  });
});
