import fc from 'fast-check';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DEMO_CLIENT } from 'src/seed/demo-data';
import {
  authorizations,
  bodies,
  Body,
  databaseChecksum,
  encode,
  extraHeaders,
  junkArb,
  Pair,
  params,
  responseProblems,
  spoiledObject,
  text,
  urlEncoded,
} from '../support/hostile-input';
import { basic } from '../factories/client.factory';
import {
  authorizeAsUser,
  authorizePath,
  browser,
  demoBasic,
  exchangeCode,
  formFields,
  signIn,
} from '../support/browser';
import { pkcePair } from '../support/pkce';
import { createTestApp, TestApp } from './create-test-app';

/**
 * Property-based hostile input over every public endpoint (docs/security.md, docs/architecture.md §7): random
 * and adversarial forms, JSON where forms are expected, duplicated parameters, 100 kB values,
 * invalid UTF-8 and percent-encoding, CR/LF in redirect_uri and state, path traversal in ids and
 * huge headers. Every response must be < 500, a well-formed error (JSON `error` or an HTML page)
 * with the security headers, leak no stack, path or SQL, redirect only to a registered URI, and a
 * rejected request must leave the database as it was.
 *
 * Bounded so the file stays near a minute per database: FUZZ_RUNS (default 25) runs and
 * FUZZ_MS (default 2500) ms per property; a failure prints fast-check's seed and shrunk case.
 * FUZZ_SEED fixes the seed (.ci/run does); without it a random one is drawn, and printed either way
 * so that any run can be repeated.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const TIME_LIMIT_MS = Number(process.env.FUZZ_MS ?? 2500);
const SEED = /^-?\d+$/.test(process.env.FUZZ_SEED ?? '')
  ? Number(process.env.FUZZ_SEED)
  : Math.floor(Math.random() * 0x7fffffff);
const ADMIN_ID = 'fuzz-admin';
const ADMIN_SECRET = 'fuzz-admin-secret-0123456789';
const REDIRECT = DEMO_CLIENT.redirectUris[0];
const ISSUER = 'http://127.0.0.1:8000';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface HostileRequest {
  method: Method;
  path: string;
  body?: Body;
  authorization?: string;
  headers?: Record<string, string>;
  agent?: 'anonymous' | 'signed-in' | 'login-form';
}

describe('Hostile input on every public endpoint (e2e, fast-check)', () => {
  let t: TestApp;
  let userToken: string;
  let adminToken: string;
  let signedIn: TestAgent;
  let loginForm: TestAgent;
  let loginFields: Record<string, string>;
  let consentFields: Record<string, string>;
  let registered: { id: string; token: string };
  const { challenge } = pkcePair();
  /** Per property: how many cases, by response status (printed at the end, to see the reach). */
  const cases: Record<string, Record<number, number>> = {};

  beforeAll(async () => {
    // eslint-disable-next-line no-console
    console.log(`hostile input: fast-check seed ${SEED} (repeat with FUZZ_SEED=${SEED})`);
    t = await createTestApp({
      env: { ADMIN_CLIENT_ID: ADMIN_ID, ADMIN_CLIENT_SECRET: ADMIN_SECRET },
    });
    const flow = await authorizeAsUser(t.http);
    userToken = (await exchangeCode(t.http, flow.code, flow.verifier).expect(200)).body
      .access_token;
    adminToken = (
      await request(t.http)
        .post('/oauth/token')
        .set('Authorization', basic(ADMIN_ID, ADMIN_SECRET))
        .type('form')
        .send({ grant_type: 'client_credentials', scope: 'admin' })
        .expect(200)
    ).body.access_token;
    signedIn = browser(t.http);
    const consentPath = authorizePath({
      response_type: 'code',
      client_id: DEMO_CLIENT.clientId,
      redirect_uri: REDIRECT,
      scope: 'read',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      prompt: 'consent',
    });
    expect((await signIn(signedIn, consentPath)).status).toBe(303);
    consentFields = formFields((await signedIn.get(consentPath).expect(200)).text);
    loginForm = browser(t.http);
    loginFields = formFields((await loginForm.get('/login').expect(200)).text);
    const reg = await request(t.http)
      .post('/oauth/register')
      .send({
        redirect_uris: ['http://127.0.0.1:9999/cb'],
        client_name: 'fuzz',
        token_endpoint_auth_method: 'none',
      })
      .expect(201);
    registered = { id: reg.body.client_id, token: reg.body.registration_access_token };
  });

  afterAll(async () => {
    process.stdout.write(`hostile-input cases run: ${JSON.stringify(cases)}\n`);
    await t.close();
  });

  async function send(r: HostileRequest): Promise<request.Response> {
    const client =
      r.agent === 'signed-in' ? signedIn : r.agent === 'login-form' ? loginForm : request(t.http);
    let req = client[r.method.toLowerCase() as 'get'](r.path);
    for (const [name, value] of Object.entries(r.headers ?? {})) req = req.set(name, value);
    if (r.authorization !== undefined) req = req.set('Authorization', r.authorization);
    if (r.body?.contentType) req = req.set('Content-Type', r.body.contentType);
    // Bytes as they are: superagent would otherwise serialize a Buffer as a form or as JSON.
    if (r.body?.data !== undefined)
      req = req.serialize((d: unknown) => d as string).send(r.body.data);
    return req;
  }

  /** Runs a property over `arb`: every response keeps the invariants; rejections change nothing. */
  async function fuzz(name: string, arb: fc.Arbitrary<HostileRequest>): Promise<void> {
    let before = await databaseChecksum(t.dataSource);
    const firstLog = t.logs.length;
    const statuses: Record<number, number> = (cases[name] = {});
    await fc.assert(
      fc.asyncProperty(arb, async (r) => {
        const res = await send(r);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        const problems = responseProblems(res, {
          redirectPrefixes: [`${REDIRECT}?`, 'http://127.0.0.1:9999/cb?'],
          requestPath: r.path,
        });
        const after = await databaseChecksum(t.dataSource);
        if (res.status >= 400) {
          const changed = Object.keys(after).filter((table) => after[table] !== before[table]);
          if (changed.length) problems.push(`rejected request changed ${changed.join(', ')}`);
        }
        before = after;
        if (problems.length) {
          throw new Error(
            `${r.method} ${r.path.slice(0, 200)} [${r.body?.kind ?? 'no body'}] → ${res.status}: ${problems.join('; ')}\n` +
              (res.text ?? '').slice(0, 300),
          );
        }
      }),
      { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
    );
    const errors = t.logs.slice(firstLog).filter((line) => /"level":"(error|fatal)"/.test(line));
    expect(errors).toEqual([]);
  }

  const query = (pairs: fc.Arbitrary<Pair[]>) =>
    fc.tuple(pairs, junkArb).map(([p, junk]) => {
      const q = urlEncoded(p, junk);
      return q ? `?${q}` : '';
    });
  const segment = fc.oneof(
    { weight: 2, arbitrary: text.map(encode) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '..',
        '%2e%2e',
        '..%2F..%2F..%2Fetc%2Fpasswd',
        '%2e%2e%2f%2e%2e%2fadmin',
        '..%5c..%5cwindows',
        '%00',
        '%ZZ',
        '%C0%AF',
        'demo_client',
        'x'.repeat(3000),
        '%F0%9F%92%A9',
      ),
    },
  );

  it('GET /oauth/authorize and /authorize', () =>
    fuzz(
      'authorize',
      fc
        .record({
          path: fc.constantFrom('/oauth/authorize', '/authorize'),
          q: query(
            params({
              // Valid values only: spoiled ones come from the hostile pool ('plain', 'code token', CR/LF, …).
              response_type: 'code',
              client_id: DEMO_CLIENT.clientId,
              redirect_uri: REDIRECT,
              scope: ['read', 'read write', 'openid profile'],
              state: undefined,
              code_challenge: challenge,
              code_challenge_method: 'S256',
              resource: `${ISSUER}/mcp`,
              prompt: ['none', 'login', 'consent'],
            }),
          ),
          agent: fc.constantFrom<'anonymous' | 'signed-in'>('anonymous', 'signed-in', 'signed-in'),
          headers: extraHeaders,
        })
        .map(({ path, q, agent, headers }) => ({ method: 'GET', path: path + q, agent, headers })),
    ));

  it('GET and POST /login', () =>
    fuzz(
      'login',
      fc.oneof(
        query(
          params({
            return_to: ['/oauth/authorize?x=1', '//evil.example', 'https://evil.example/'],
          }),
        ).map((q): HostileRequest => ({ method: 'GET', path: `/login${q}` })),
        fc
          .record({
            body: bodies(
              params({
                csrf_token: loginFields?.csrf_token ?? 'x',
                username: ['demo_user', 'nobody'],
                password: undefined,
                return_to: ['/oauth/authorize', '//evil.example/', '/\\evil.example'],
              }),
              'form',
            ),
            agent: fc.constantFrom<'anonymous' | 'login-form'>('anonymous', 'login-form'),
            headers: extraHeaders,
          })
          .map(({ body, agent, headers }): HostileRequest => ({
            method: 'POST',
            path: '/login',
            body,
            agent,
            headers,
          })),
      ),
    ));

  it('POST /consent', () =>
    fuzz(
      'consent',
      fc
        .record({
          body: bodies(
            params({ ...consentFields, decision: ['approve', 'deny'], state: undefined }),
            'form',
          ),
          agent: fc.constantFrom<'anonymous' | 'signed-in'>(
            'anonymous',
            'signed-in',
            'signed-in',
            'signed-in',
          ),
        })
        .map(({ body, agent }): HostileRequest => ({
          method: 'POST',
          path: '/consent',
          body,
          agent,
        })),
    ));

  it('POST /oauth/token and /token', () =>
    fuzz(
      'token',
      fc
        .record({
          path: fc.constantFrom('/oauth/token', '/token'),
          body: bodies(
            params({
              grant_type: ['authorization_code', 'refresh_token', 'client_credentials', 'password'],
              code: 'mcpac_notarealcode0000000000000000000000000000',
              code_verifier: 'v'.repeat(43),
              redirect_uri: REDIRECT,
              refresh_token: 'mcprt_notarealtoken00000000000000000000000000',
              scope: ['read', 'read write admin'],
              resource: `${ISSUER}/mcp`,
              client_id: DEMO_CLIENT.clientId,
              client_secret: undefined,
            }),
            'form',
          ),
          authorization: authorizations([demoBasic()]),
          headers: extraHeaders,
        })
        .map((r): HostileRequest => ({ method: 'POST', ...r })),
    ));

  it('POST /oauth/revoke and /oauth/introspect', () =>
    fuzz(
      'revoke-introspect',
      fc
        .record({
          path: fc.constantFrom('/oauth/revoke', '/oauth/introspect', '/revoke', '/introspect'),
          body: bodies(
            params({
              token: [
                'mcprt_notarealtoken00000000000000000000000000',
                'eyJhbGciOiJFUzI1NiJ9.e30.sig',
              ],
              token_type_hint: ['access_token', 'refresh_token'],
              client_id: DEMO_CLIENT.clientId,
            }),
            'form',
          ),
          authorization: authorizations([demoBasic()]),
        })
        .map((r): HostileRequest => ({ method: 'POST', ...r })),
    ));

  const validMetadata = {
    redirect_uris: ['http://127.0.0.1:9999/cb'],
    client_name: 'fuzz',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    scope: 'read',
  };
  const hostileMetadata: Record<string, fc.Arbitrary<unknown>> = {
    redirect_uris: fc.oneof(
      fc.array(text, { maxLength: 3 }),
      text,
      fc.constant([`${REDIRECT}\r\nX: y`]),
      fc.constant(['http://evil.example/cb', 'javascript:alert(1)']),
    ),
    client_name: fc.oneof(text, fc.constant({ en: 'x' })),
    token_endpoint_auth_method: fc.oneof(
      fc.constantFrom('client_secret_basic', 'client_secret_post', 'private_key_jwt'),
      text,
    ),
    grant_types: fc.oneof(
      fc.constant(['client_credentials', 'password', 'implicit']),
      fc.array(text, { maxLength: 3 }),
    ),
    response_types: fc.oneof(fc.constant(['token']), fc.array(text, { maxLength: 2 })),
    scope: fc.oneof(fc.constantFrom('read write admin', 'offline_access introspection'), text),
    application_type: fc.oneof(fc.constantFrom('web', 'native'), text),
    logo_uri: text,
    client_uri: text,
    jwks_uri: fc.constantFrom('http://127.0.0.1:1/jwks', 'http://169.254.169.254/latest/meta-data'),
    client_id: text,
    client_secret: text,
    software_statement: text,
    contacts: fc.oneof(fc.array(text, { maxLength: 2 }), text),
  };
  const metadata = fc.oneof(
    { weight: 3, arbitrary: spoiledObject(validMetadata, hostileMetadata) },
    { weight: 1, arbitrary: fc.record(hostileMetadata, { requiredKeys: [] }) },
  );
  const jsonBody = fc.oneof(
    {
      weight: 3,
      arbitrary: metadata.map((m): Body => ({
        kind: 'metadata',
        contentType: 'application/json',
        data: JSON.stringify(m),
      })),
    },
    {
      weight: 2,
      arbitrary: bodies(params({ redirect_uris: undefined, client_name: undefined }), 'json'),
    },
  );

  it('POST /oauth/register and /register', () =>
    fuzz(
      'register',
      fc
        .record({
          path: fc.constantFrom('/oauth/register', '/register'),
          body: jsonBody,
          authorization: authorizations(['Bearer initial-token']),
        })
        .map((r): HostileRequest => ({ method: 'POST', ...r })),
    ));

  it('GET, PUT and DELETE /oauth/register/:client_id', () =>
    fuzz(
      'register-management',
      fc
        .record({
          method: fc.constantFrom<Method>('GET', 'PUT', 'DELETE'),
          id: fc.oneof(fc.constant(encode(registered?.id ?? 'x')), segment),
          body: jsonBody,
          authorization: authorizations([`Bearer ${registered?.token}`]),
        })
        .map(({ method, id, body, authorization }): HostileRequest => ({
          method,
          path: `/oauth/register/${id}`,
          body: method === 'PUT' ? body : undefined,
          authorization,
        })),
    ));

  it('GET and POST /userinfo', () =>
    fuzz(
      'userinfo',
      fc
        .record({
          method: fc.constantFrom<Method>('GET', 'POST'),
          q: query(params({ access_token: 'x', schema: 'openid' })),
          body: bodies(params({ access_token: 'x' }), 'form'),
          authorization: authorizations([`Bearer ${userToken}`]),
        })
        .map(({ method, q, body, authorization }): HostileRequest => ({
          method,
          path: `/userinfo${q}`,
          body: method === 'POST' ? body : undefined,
          authorization,
        })),
    ));

  const rpcId = fc.oneof(fc.integer(), text, fc.constant(null), fc.constant({}), fc.constant([1]));
  const rpc = fc.record(
    {
      jsonrpc: fc.oneof(fc.constant('2.0'), text),
      id: rpcId,
      method: fc.oneof(
        fc.constantFrom(
          'initialize',
          'tools/list',
          'tools/call',
          'ping',
          'notifications/initialized',
          'resources/read',
        ),
        text,
      ),
      params: fc.oneof(
        fc.record(
          {
            name: fc.oneof(fc.constantFrom('greet', 'whoami', 'add_note', 'list_notes'), text),
            arguments: fc.oneof(
              fc.jsonValue({ maxDepth: 3 }),
              fc.record({ name: text, text: text, title: text }),
            ),
            protocolVersion: fc.constantFrom('2025-11-25', '1999-01-01'),
            capabilities: fc.constant({}),
            clientInfo: fc.constant({ name: 'fuzz', version: '1' }),
          },
          { requiredKeys: [] },
        ),
        fc.jsonValue({ maxDepth: 2 }),
      ),
    },
    { requiredKeys: [] },
  );

  it('POST, GET and DELETE /mcp', () =>
    fuzz(
      'mcp',
      fc
        .record({
          method: fc.constantFrom<Method>('POST', 'POST', 'POST', 'GET', 'DELETE'),
          body: fc.oneof(
            {
              weight: 4,
              arbitrary: rpc.map((m): Body => ({
                kind: 'rpc',
                contentType: 'application/json',
                data: JSON.stringify(m),
              })),
            },
            {
              weight: 1,
              arbitrary: fc
                .array(rpc, { maxLength: 3 })
                .map((b): Body => ({
                  kind: 'batch',
                  contentType: 'application/json',
                  data: JSON.stringify(b),
                })),
            },
            {
              weight: 2,
              arbitrary: bodies(params({ jsonrpc: '2.0', method: 'tools/list' }), 'json'),
            },
          ),
          authorization: authorizations([`Bearer ${userToken}`]),
          headers: fc.oneof(
            fc.constant({
              Accept: 'application/json, text/event-stream',
              'MCP-Protocol-Version': '2025-11-25',
            }),
            extraHeaders,
          ),
        })
        .map(({ method, body, authorization, headers }): HostileRequest => ({
          method,
          path: '/mcp',
          body: method === 'POST' ? body : undefined,
          authorization,
          headers,
        })),
    ));

  it('GET /tools and POST /tools/:name', () =>
    fuzz(
      'tools',
      fc
        .record({
          name: fc.oneof(fc.constantFrom('greet', 'whoami', 'add_note', 'list_notes'), segment),
          list: fc.boolean(),
          body: fc.oneof(
            fc
              .oneof(
                fc.jsonValue({ maxDepth: 3 }),
                fc.record({ name: text, text: text, title: text }, { requiredKeys: [] }),
              )
              .map((v): Body => ({
                kind: 'args',
                contentType: 'application/json',
                data: JSON.stringify(v) ?? 'null',
              })),
            bodies(params({ name: 'x' }), 'json'),
          ),
          authorization: authorizations([`Bearer ${userToken}`]),
        })
        .map(({ name, list, body, authorization }): HostileRequest =>
          list
            ? { method: 'GET', path: '/tools', authorization }
            : { method: 'POST', path: `/tools/${name}`, body, authorization },
        ),
    ));

  it('GET /.well-known/* and /health/*', () =>
    fuzz(
      'well-known',
      fc
        .record({
          base: fc.constantFrom(
            '/.well-known/oauth-authorization-server',
            '/.well-known/openid-configuration',
            '/.well-known/jwks.json',
            '/.well-known/oauth-protected-resource',
            '/.well-known/oauth-protected-resource/mcp',
            '/.well-known',
            '/health/live',
            '/health/ready',
          ),
          suffix: fc.oneof(
            fc.constant(''),
            segment.map((s) => `/${s}`),
          ),
          q: query(params({ resource: undefined })),
          method: fc.constantFrom<Method>('GET', 'GET', 'POST', 'DELETE'),
        })
        .map(({ base, suffix, q, method }): HostileRequest => ({
          method,
          path: base + suffix + q,
        })),
    ));

  it('GET /account/apps, POST /account/apps/revoke, POST /logout and POST /account/sessions/revoke', () =>
    fuzz(
      'account',
      fc
        .record({
          path: fc.constantFrom('/account/apps', '/account/apps/revoke', '/logout', '/account/sessions/revoke'),
          body: bodies(
            params({
              csrf_token: consentFields?.csrf_token ?? 'x',
              client_id: ['unknown-client', 'x'],
            }),
            'form',
          ),
          agent: fc.constantFrom<'anonymous' | 'signed-in'>('anonymous', 'signed-in'),
        })
        .map(({ path, body, agent }): HostileRequest =>
          path === '/account/apps'
            ? { method: 'GET', path, agent }
            : { method: 'POST', path, body, agent },
        ),
    ));

  it('arbitrary paths: traversal, encoded separators, unknown routes', () =>
    fuzz(
      'paths',
      fc
        .record({
          method: fc.constantFrom<Method>('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
          path: fc.oneof(
            fc.constantFrom(
              '/%2e%2e/%2e%2e/etc/passwd',
              '/oauth/..%2fadmin%2fclients',
              '/oauth/%2e%2e/admin/clients',
              '/tools/..%2F..%2Fpackage.json',
              '/.well-known/..%2f..%2fsrc%2fmain.ts',
              '/%00',
              '/%',
              '/login%00',
              '/authorize%0d%0aX:y',
              '//evil.example/',
              '/node_modules/typeorm/package.json',
              '/dist/main.js',
              '/' + 'a/'.repeat(500),
            ),
            fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`),
          ),
          authorization: authorizations([`Bearer ${userToken}`, `Bearer ${adminToken}`]),
        })
        .map((r): HostileRequest => r),
    ));

  it('the admin API: /admin/clients, /admin/users, /admin/audit', () =>
    fuzz(
      'admin',
      fc
        .record({
          method: fc.constantFrom<Method>('GET', 'POST', 'PATCH', 'DELETE'),
          resource: fc.constantFrom('clients', 'users', 'audit'),
          id: fc.option(segment, { nil: undefined }),
          action: fc.constantFrom('', '/secret', '/disable', '/enable', '/password'),
          q: query(
            params({
              limit: ['10', '-1', '1e9'],
              cursor: undefined,
              type: 'login.failed',
              client_id: undefined,
              since: undefined,
            }),
          ),
          body: fc.oneof(
            metadata.map((m): Body => ({
              kind: 'metadata',
              contentType: 'application/json',
              data: JSON.stringify(m),
            })),
            fc
              .record(
                {
                  username: text,
                  password: text,
                  scopes: fc.array(text, { maxLength: 2 }),
                  disabled: fc.constantFrom(true, 'yes', null),
                },
                { requiredKeys: [] },
              )
              .map((u): Body => ({
                kind: 'user',
                contentType: 'application/json',
                data: JSON.stringify(u),
              })),
            bodies(params({ client_name: undefined }), 'json'),
          ),
          authorization: authorizations([`Bearer ${adminToken}`, `Bearer ${userToken}`]),
        })
        .map(({ method, resource, id, action, q, body, authorization }): HostileRequest => ({
          method,
          path: `/admin/${resource}${id === undefined ? '' : `/${id}${action}`}${q}`,
          body: method === 'GET' || method === 'DELETE' ? undefined : body,
          authorization,
        })),
    ));
});
