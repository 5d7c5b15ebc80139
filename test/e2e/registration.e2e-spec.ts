import request from 'supertest';
import { DcrClientExpiryJob } from 'src/maintenance/dcr-client-expiry.job';
import { AuditService } from 'src/audit/audit.service';
import { TokenVerifier } from 'src/tokens/keys/token-verifier';
import { basic } from '../factories/client.factory';
import { authorizeAsUser } from '../support/browser';
import { createTestApp, TestApp } from './create-test-app';

const VSCODE_METADATA = {
  client_name: 'Visual Studio Code',
  client_uri: 'https://code.visualstudio.com',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: [
    'https://insiders.vscode.dev/redirect',
    'https://vscode.dev/redirect',
    'http://127.0.0.1/',
    'http://127.0.0.1:33418/',
  ],
  token_endpoint_auth_method: 'none',
  application_type: 'native',
};

const WEB_METADATA = {
  client_name: 'Claude',
  redirect_uris: ['https://claude.ai/api/mcp/auth_callback'],
  token_endpoint_auth_method: 'client_secret_post',
  scope: 'read write offline_access',
};

type Json = Record<string, any>;
/** A code exchange that passes client authentication and then fails on the (unknown) code. */
const PROBE = {
  grant_type: 'authorization_code',
  code: 'mcpac_unknown',
  code_verifier: 'a'.repeat(43),
  redirect_uri: 'https://claude.ai/api/mcp/auth_callback',
};

describe('Dynamic client registration, RFC 7591 and 7592 (e2e)', () => {
  let t: TestApp;
  const register = (body: unknown, auth?: string) => {
    const req = request(t.http).post('/oauth/register');
    if (auth) req.set('Authorization', auth);
    return req.send(body as object);
  };
  const manage = (method: 'get' | 'put' | 'delete', clientId: string, token?: string) => {
    const req = request(t.http)[method](`/oauth/register/${encodeURIComponent(clientId)}`);
    if (token !== undefined) req.set('Authorization', `Bearer ${token}`);
    return req;
  };
  const expectError = (res: request.Response, status: number, error: string, description?: string) => {
    expect({ status: res.status, error: res.body.error }).toEqual({ status, error });
    if (description !== undefined) expect(res.body.error_description).toBe(description);
    expect(res.headers['cache-control']).toBe('no-store');
  };
  const tokenRequest = (body: Record<string, string>, auth?: string) => {
    const req = request(t.http).post('/oauth/token').type('form');
    if (auth) req.set('Authorization', auth);
    return req.send(body);
  };
  const clientRow = async (clientId: string): Promise<Json | undefined> =>
    (await t.dataSource.query('SELECT * FROM oauth_clients WHERE client_id = $1', [clientId]))[0];

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  describe('discovery', () => {
    it('should advertise the registration endpoint and CIMD support', async () => {
      const res = await request(t.http).get('/.well-known/oauth-authorization-server').expect(200);
      expect(res.body.registration_endpoint).toBe(`${t.config.issuer}/oauth/register`);
      expect(res.body.client_id_metadata_document_supported).toBe(true);
    });
  });

  describe('registration', () => {
    it('should register a public native client and echo its metadata (VS Code)', async () => {
      const res = await register(VSCODE_METADATA).expect(201);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['access-control-allow-origin']).toBe('*');
      const body = res.body as Json;
      expect(body.client_id).toMatch(/^mcp_[A-Za-z0-9_-]{22}$/);
      expect(body.registration_access_token).toMatch(/^mcprat_[A-Za-z0-9_-]{43}$/);
      expect(body).toEqual({
        client_id: body.client_id,
        client_id_issued_at: expect.any(Number),
        client_name: 'Visual Studio Code',
        client_uri: 'https://code.visualstudio.com',
        redirect_uris: VSCODE_METADATA.redirect_uris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        application_type: 'native',
        scope: 'read write',
        registration_access_token: body.registration_access_token,
        registration_client_uri: `${t.config.issuer}/oauth/register/${body.client_id}`,
      });
      expect(Math.abs(body.client_id_issued_at - Date.now() / 1000)).toBeLessThan(60);
      const row = await clientRow(body.client_id);
      expect(row).toMatchObject({ source: 'dcr', client_secret_hash: null, application_type: 'native' });
      expect(row!.registration_access_token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(row)).not.toContain(body.registration_access_token);
    });

    it('should let a registered public client complete the code flow on any loopback port', async () => {
      const { client_id } = (await register(VSCODE_METADATA).expect(201)).body;
      const redirectUri = 'http://127.0.0.1:54321/';
      const { code, verifier, redirect } = await authorizeAsUser(t.http, { client_id, redirect_uri: redirectUri });
      expect(redirect.origin).toBe('http://127.0.0.1:54321');
      const res = await tokenRequest({
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: redirectUri,
        client_id,
      }).expect(200);
      expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'read write' });
      expect(res.body.refresh_token).toEqual(expect.any(String));
      const verified = await t.app.get(TokenVerifier).verify(res.body.access_token, t.config.mcp.resource);
      expect(verified.clientId).toBe(client_id);
      expect((await clientRow(client_id))!.last_used_at).not.toBeNull();
      const refreshed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: res.body.refresh_token, client_id });
      expect(refreshed.status).toBe(200);
    });

    it('should register a confidential client with a secret shown once and hold it to its method', async () => {
      const res = await register(WEB_METADATA).expect(201);
      const { client_id, client_secret, client_secret_expires_at } = res.body as Json;
      expect(client_secret).toMatch(/^mcpcs_[A-Za-z0-9_-]{43}$/);
      expect(client_secret_expires_at).toBe(0);
      expect(res.body).toMatchObject({ application_type: 'web', scope: 'read write', token_endpoint_auth_method: 'client_secret_post' });
      const row = await clientRow(client_id);
      expect(row!.client_secret_hash).toMatch(/^sha256:[0-9a-f]{64}$/);

      const redirectUri = WEB_METADATA.redirect_uris[0];
      const { code, verifier } = await authorizeAsUser(t.http, { client_id, redirect_uri: redirectUri });
      const exchange = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: redirectUri };
      const viaBasic = await tokenRequest(exchange, basic(client_id, client_secret));
      expectError(viaBasic, 401, 'invalid_client', 'client must authenticate with client_secret_post');
      const ok = await tokenRequest({ ...exchange, client_id, client_secret }).expect(200);
      expect(ok.body.scope).toBe('read write');
    });

    it('should default to client_secret_basic and let that client use Basic', async () => {
      const res = await register({ redirect_uris: ['https://app.example.com/cb'] }).expect(201);
      const { client_id, client_secret } = res.body as Json;
      expect(res.body).toMatchObject({ token_endpoint_auth_method: 'client_secret_basic', client_name: 'Unnamed application' });
      const { code, verifier } = await authorizeAsUser(t.http, { client_id, redirect_uri: 'https://app.example.com/cb' });
      await tokenRequest(
        { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: 'https://app.example.com/cb' },
        basic(client_id, client_secret),
      ).expect(200);
    });

    it('should refuse to register a client_credentials client (issue 12 item 2: no user-less tool access)', async () => {
      const res = await register({ grant_types: ['client_credentials'], client_name: 'Worker' }).expect(400);
      expect(res.body.error).toBe('invalid_client_metadata');
      expect(res.body.error_description).toMatch(/client_credentials is not available through registration/);
    });

    it('should make two distinct working clients of the same request sent twice (Claude)', async () => {
      const [a, b] = [await register(WEB_METADATA).expect(201), await register(WEB_METADATA).expect(201)];
      expect(a.body.client_id).not.toBe(b.body.client_id);
      expect(a.body.client_secret).not.toBe(b.body.client_secret);
      for (const { client_id, client_secret } of [a.body, b.body]) {
        const res = await tokenRequest({ ...PROBE, client_id, client_secret });
        expectError(res, 400, 'invalid_grant');
      }
    });

    it('should accept cursor:// and reverse-DNS redirect URIs as a native client', async () => {
      const res = await register({
        client_name: 'Cursor',
        redirect_uris: ['cursor://anysphere.cursor-retrieval/oauth/user-callback', 'com.example.app:/oauth2redirect'],
        token_endpoint_auth_method: 'none',
      }).expect(201);
      expect(res.body.application_type).toBe('native');
    });

    it('should ignore a client-chosen client_id, unknown fields and offline_access, and keep unicode names', async () => {
      const res = await register({
        ...VSCODE_METADATA,
        client_id: 'demo_client',
        client_secret: 'chosen',
        client_name: '  Zoë’s 日本語 client 🚀 ',
        scope: 'write offline_access admin',
        extension_field: { nested: [1, 2, 3] },
        jwks_uri: 'https://app.example.com/jwks',
      }).expect(201);
      expect(res.body.client_id).toMatch(/^mcp_/);
      expect(res.body).toMatchObject({ client_name: 'Zoë’s 日本語 client 🚀', scope: 'write' });
      expect(res.body).not.toHaveProperty('extension_field');
      expect(res.body).not.toHaveProperty('jwks_uri');
      expect(res.body).not.toHaveProperty('client_secret');
      expect((await clientRow(res.body.client_id))!.client_name).toBe('Zoë’s 日本語 client 🚀');
    });

    it('should record client.registered in the audit trail without secrets', async () => {
      const res = await register(WEB_METADATA).expect(201);
      await t.app.get(AuditService).flush();
      const rows = await t.dataSource.query(
        `SELECT type, outcome, details FROM audit_events WHERE client_id = $1`,
        [res.body.client_id],
      );
      expect(rows).toEqual([
        expect.objectContaining({ type: 'client.registered', outcome: 'success', details: expect.objectContaining({ client_name: 'Claude' }) }),
      ]);
      const serialized = JSON.stringify(rows);
      expect(serialized).not.toContain(res.body.client_secret);
      expect(serialized).not.toContain(res.body.registration_access_token);
    });
  });

  describe('rejections', () => {
    const uris = { redirect_uris: ['https://app.example.com/cb'] };
    it.each<[string, unknown, string, string]>([
      ['no redirect_uris', { client_name: 'x' }, 'invalid_redirect_uri', 'redirect_uris is required'],
      ['empty redirect_uris', { redirect_uris: [] }, 'invalid_redirect_uri', 'redirect_uris must not be empty'],
      ['redirect_uris as a string', { redirect_uris: 'https://a.example/cb' }, 'invalid_redirect_uri', 'redirect_uris must be an array of strings'],
      ['javascript:', { redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri', 'redirect_uris[0] must not use the javascript scheme'],
      ['data:', { redirect_uris: ['data:text/html,hi'] }, 'invalid_redirect_uri', 'redirect_uris[0] must not use the data scheme'],
      ['file:', { redirect_uris: ['file:///etc/passwd'] }, 'invalid_redirect_uri', 'redirect_uris[0] must not use the file scheme'],
      ['vbscript:', { redirect_uris: ['vbscript:msgbox'] }, 'invalid_redirect_uri', 'redirect_uris[0] must not use the vbscript scheme'],
      ['non-loopback http', { redirect_uris: ['https://ok.example/cb', 'http://evil.example/cb'] }, 'invalid_redirect_uri', 'redirect_uris[1] may use http only on a loopback host'],
      ['a fragment', { redirect_uris: ['https://app.example.com/cb#x'] }, 'invalid_redirect_uri', 'redirect_uris[0] must not contain a fragment'],
      ['userinfo', { redirect_uris: ['https://u:p@app.example.com/cb'] }, 'invalid_redirect_uri', 'redirect_uris[0] must not contain userinfo'],
      ['a wildcard', { redirect_uris: ['https://*.example.com/cb'] }, 'invalid_redirect_uri', 'redirect_uris[0] must not contain wildcards'],
      ['a web app with a custom scheme', { redirect_uris: ['cursor://a.b/cb'], application_type: 'web' }, 'invalid_redirect_uri', 'redirect_uris[0] uses a private-use uri scheme, which requires application_type native'],
      ['an unsupported auth method', { ...uris, token_endpoint_auth_method: 'private_key_jwt' }, 'invalid_client_metadata', 'token_endpoint_auth_method is not supported'],
      ['an unsupported grant', { ...uris, grant_types: ['authorization_code', 'password'] }, 'invalid_client_metadata', 'grant_types[1] is not supported'],
      ['public client_credentials', { ...uris, grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' }, 'invalid_client_metadata', 'grant_types client_credentials is not available through registration; an administrator creates machine clients'],
      ['refresh without code', { ...uris, grant_types: ['refresh_token'] }, 'invalid_client_metadata', 'grant_types refresh_token requires authorization_code'],
      ['response_type token', { ...uris, response_types: ['token'] }, 'invalid_client_metadata', 'response_types[0] is not supported'],
      ['inconsistent types', { ...uris, grant_types: ['authorization_code'], response_types: [] }, 'invalid_client_metadata', 'grant_types and response_types are inconsistent'],
      ['a bad application_type', { ...uris, application_type: 'browser' }, 'invalid_client_metadata', 'application_type must be web or native'],
      ['a numeric client_name', { ...uris, client_name: 12 }, 'invalid_client_metadata', 'client_name must be a string'],
      ['a long client_name', { ...uris, client_name: 'n'.repeat(201) }, 'invalid_client_metadata', 'client_name must be at most 200 characters'],
      ['a bidi override in client_name', { ...uris, client_name: 'Safe\u202eevil' }, 'invalid_client_metadata', 'client_name contains control characters'],
      ['scope as an array', { ...uris, scope: ['read'] }, 'invalid_client_metadata', 'scope must be a string'],
      ['a javascript: client_uri', { ...uris, client_uri: 'javascript:alert(1)' }, 'invalid_client_metadata', 'client_uri must be an http or https url'],
      ['contacts as a string', { ...uris, contacts: 'a@b.c' }, 'invalid_client_metadata', 'contacts must be an array of strings'],
      ['a JSON array', [uris], 'invalid_client_metadata', 'client metadata must be a json object'],
    ])('should refuse %s', async (_name, body, error, description) => {
      expectError(await register(body), 400, error, description);
    });

    it('should refuse a form body, malformed JSON and an oversized body', async () => {
      const form = await request(t.http).post('/oauth/register').type('form').send({ redirect_uris: 'https://a.example/cb' });
      expectError(form, 400, 'invalid_request', 'content type must be application/json');
      const empty = await request(t.http).post('/oauth/register');
      expectError(empty, 400, 'invalid_request', 'content type must be application/json');
      const malformed = await request(t.http).post('/oauth/register').set('Content-Type', 'application/json').send('{"redirect_uris": [');
      expectError(malformed, 400, 'invalid_request', 'malformed request body');
      const huge = await register({ redirect_uris: ['https://a.example/cb'], client_name: 'x'.repeat(70_000) });
      expectError(huge, 413, 'invalid_request', 'request body too large');
    });

    it('should take the last of duplicated JSON members, as JSON.parse does', async () => {
      const res = await request(t.http)
        .post('/oauth/register')
        .set('Content-Type', 'application/json')
        .send('{"redirect_uris":["http://evil.example/cb"],"redirect_uris":["https://good.example/cb"]}')
        .expect(201);
      expect(res.body.redirect_uris).toEqual(['https://good.example/cb']);
    });

    it('should also serve the root alias /register', async () => {
      await request(t.http).post('/register').send({ redirect_uris: ['https://a.example/cb'] }).expect(201);
      expectError(await request(t.http).post('/register').send({}), 400, 'invalid_redirect_uri');
    });
  });

  describe('client configuration endpoint (RFC 7592)', () => {
    let client: Json;
    beforeEach(async () => {
      client = (await register(WEB_METADATA).expect(201)).body;
    });

    it('should return the current metadata to the registration access token, without the secret', async () => {
      const res = await manage('get', client.client_id, client.registration_access_token).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const { client_secret: _secret, ...expected } = client;
      expect(res.body).toEqual(expected);
      const alias = await request(t.http).get(`/register/${client.client_id}`).set('Authorization', `Bearer ${client.registration_access_token}`);
      expect(alias.status).toBe(200);
    });

    it('should answer a missing, wrong, foreign or unknown-client token with the same 401', async () => {
      const other = (await register(WEB_METADATA).expect(201)).body;
      const attempts = [
        manage('get', client.client_id),
        manage('get', client.client_id, 'mcprat_wrong'),
        manage('get', client.client_id, other.registration_access_token),
        manage('get', 'mcp_doesnotexist', client.registration_access_token),
        manage('get', 'demo_client', client.registration_access_token),
        manage('put', client.client_id, 'mcprat_wrong').send({ ...WEB_METADATA, client_id: client.client_id }),
        manage('delete', client.client_id, other.registration_access_token),
        request(t.http).get(`/oauth/register/${client.client_id}`).set('Authorization', `Basic ${client.registration_access_token}`),
      ];
      for (const res of await Promise.all(attempts)) {
        expectError(res, 401, 'invalid_token', 'invalid registration access token');
        expect(res.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
      }
      await manage('get', client.client_id, client.registration_access_token).expect(200);
    });

    it('should replace the metadata on PUT and keep the secret working', async () => {
      const update = {
        client_id: client.client_id,
        client_secret: client.client_secret,
        client_name: 'Claude (renamed)',
        redirect_uris: ['https://claude.com/api/mcp/auth_callback'],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'read',
        logo_uri: 'https://claude.ai/logo.png',
      };
      const res = await manage('put', client.client_id, client.registration_access_token).send(update).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toMatchObject({
        client_id: client.client_id,
        client_name: 'Claude (renamed)',
        redirect_uris: ['https://claude.com/api/mcp/auth_callback'],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'read',
        logo_uri: 'https://claude.ai/logo.png',
        client_secret_expires_at: 0,
        registration_access_token: client.registration_access_token,
      });
      expect(res.body).not.toHaveProperty('client_secret');
      const read = await manage('get', client.client_id, client.registration_access_token).expect(200);
      expect(read.body.client_name).toBe('Claude (renamed)');
      const probe = await tokenRequest(PROBE, basic(client.client_id, client.client_secret));
      expectError(probe, 400, 'invalid_grant');
    });

    it.each<[string, (c: Json) => Json, string, string]>([
      ['a missing client_id', (c) => ({ ...WEB_METADATA, client_id: undefined, client_secret: c.client_secret }), 'invalid_client_metadata', 'client_id is required'],
      ['another client_id', () => ({ ...WEB_METADATA, client_id: 'mcp_other' }), 'invalid_client_metadata', 'client_id does not match'],
      ['a wrong client_secret', (c) => ({ ...WEB_METADATA, client_id: c.client_id, client_secret: 'mcpcs_wrong' }), 'invalid_client_metadata', 'client_secret does not match'],
      ['a switch to public', (c) => ({ ...WEB_METADATA, client_id: c.client_id, token_endpoint_auth_method: 'none' }), 'invalid_client_metadata', 'token_endpoint_auth_method cannot change between public and confidential'],
      ['a bad redirect URI', (c) => ({ ...WEB_METADATA, client_id: c.client_id, redirect_uris: ['http://evil.example/cb'] }), 'invalid_redirect_uri', 'redirect_uris[0] may use http only on a loopback host'],
    ])('should refuse an update with %s', async (_name, body, error, description) => {
      const res = await manage('put', client.client_id, client.registration_access_token).send(body(client));
      expectError(res, 400, error, description);
      const read = await manage('get', client.client_id, client.registration_access_token).expect(200);
      expect(read.body.client_name).toBe('Claude');
    });

    it('should delete the client with its tokens, and record it', async () => {
      const pub = (await register(VSCODE_METADATA).expect(201)).body as Json;
      const redirectUri = 'http://127.0.0.1:40000/';
      const { code, verifier } = await authorizeAsUser(t.http, { client_id: pub.client_id, redirect_uri: redirectUri });
      const tokens = (
        await tokenRequest({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: redirectUri, client_id: pub.client_id }).expect(200)
      ).body;

      const res = await manage('delete', pub.client_id, pub.registration_access_token);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(await clientRow(pub.client_id)).toBeUndefined();
      const left = await t.dataSource.query(
        `SELECT (SELECT count(*) FROM access_tokens WHERE client_id = $1)::int AS access,
                (SELECT count(*) FROM refresh_tokens WHERE client_id = $1)::int AS refresh`,
        [pub.client_id],
      );
      expect(left[0]).toEqual({ access: 0, refresh: 0 });
      await expect(t.app.get(TokenVerifier).verify(tokens.access_token, t.config.mcp.resource)).rejects.toMatchObject({
        reason: 'revoked',
      });
      const refresh = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: pub.client_id });
      expectError(refresh, 401, 'invalid_client');
      expectError(await manage('get', pub.client_id, pub.registration_access_token), 401, 'invalid_token');
      expectError(await manage('delete', pub.client_id, pub.registration_access_token), 401, 'invalid_token');

      await t.app.get(AuditService).flush();
      const audit = await t.dataSource.query(`SELECT type, outcome FROM audit_events WHERE client_id = $1 ORDER BY at`, [pub.client_id]);
      expect(audit.map((r: Json) => `${r.type}:${r.outcome}`)).toEqual([
        'client.registered:success',
        'client.deleted:success',
        'client.deleted:failure',
      ]);
    });
  });

  describe('cleanup of unused registrations', () => {
    it('should delete only old dynamically registered clients that were not used since', async () => {
      const unused = (await register(WEB_METADATA).expect(201)).body.client_id;
      const used = (await register(WEB_METADATA).expect(201)).body.client_id;
      const fresh = (await register(WEB_METADATA).expect(201)).body.client_id;
      const admin = `admin_${Date.now()}`;
      await t.dataSource.query(
        `INSERT INTO oauth_clients (client_id, client_name, source, created_at) VALUES ($1, 'Old admin', 'admin', now() - interval '90 days')`,
        [admin],
      );
      await t.dataSource.query(`UPDATE oauth_clients SET created_at = now() - interval '60 days' WHERE client_id IN ($1, $2)`, [unused, used]);
      await t.dataSource.query(`UPDATE oauth_clients SET last_used_at = now() - interval '1 day' WHERE client_id = $1`, [used]);

      // The scheduled job (DCR_CLIENT_TTL_DAYS, default 30) does the expiry.
      const deleted = await t.app.get(DcrClientExpiryJob).run();
      expect(deleted).toBe(1);
      expect(await clientRow(unused)).toBeUndefined();
      for (const kept of [used, fresh, admin]) expect(await clientRow(kept)).toBeDefined();
    });
  });
});

describe('Registration policy switches (e2e)', () => {
  const INITIAL_TOKEN = 'initial-access-token-0123456789abcdef';

  describe('REGISTRATION_MODE=token', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        env: { REGISTRATION_MODE: 'token', REGISTRATION_INITIAL_ACCESS_TOKEN: INITIAL_TOKEN, REGISTRATION_ALLOW_CUSTOM_SCHEMES: 'false' },
      });
    });
    afterAll(() => t.close());

    it('should require the initial access token', async () => {
      const body = { redirect_uris: ['https://app.example.com/cb'] };
      for (const auth of [undefined, 'Bearer wrong-token', `Basic ${INITIAL_TOKEN}`, `Bearer ${INITIAL_TOKEN}x`]) {
        const req = request(t.http).post('/oauth/register');
        if (auth) req.set('Authorization', auth);
        const res = await req.send(body);
        expect({ status: res.status, error: res.body.error }).toEqual({ status: 401, error: 'invalid_token' });
        expect(res.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
      }
      await request(t.http).post('/oauth/register').set('Authorization', `Bearer ${INITIAL_TOKEN}`).send(body).expect(201);
    });

    it('should refuse private-use schemes when they are switched off', async () => {
      const res = await request(t.http)
        .post('/oauth/register')
        .set('Authorization', `Bearer ${INITIAL_TOKEN}`)
        .send({ redirect_uris: ['cursor://anysphere.cursor-retrieval/cb'] });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'invalid_redirect_uri',
        error_description: 'redirect_uris[0] uses a private-use uri scheme, which this server does not accept',
      });
    });
  });

  describe('REGISTRATION_MODE=off', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env: { REGISTRATION_MODE: 'off', CIMD_ENABLED: 'false' } });
    });
    afterAll(() => t.close());

    it('should refuse registration with 403 and advertise neither registration nor CIMD', async () => {
      const res = await request(t.http).post('/oauth/register').send({ redirect_uris: ['https://app.example.com/cb'] });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: 'access_denied', error_description: 'client registration is disabled' });
      const meta = await request(t.http).get('/.well-known/oauth-authorization-server').expect(200);
      expect(meta.body).not.toHaveProperty('registration_endpoint');
      expect(meta.body).not.toHaveProperty('client_id_metadata_document_supported');
    });
  });
});
