import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AuditService } from 'src/audit/audit.service';
import { ClientManagementService } from 'src/clients/client-management.service';
import { DEMO_CLIENT } from 'src/seed/demo-data';
import { basic } from '../factories/client.factory';
import { authorizeAsUser, browser, demoBasic, exchangeCode, signIn } from '../support/browser';
import { createTestApp, TestApp } from './create-test-app';

const ADMIN_ID = 'e2e-admin';
const ADMIN_SECRET = 'e2e-admin-secret-0123456789';

describe('Admin API (e2e)', () => {
  let t: TestApp;
  let adminToken: string;

  const form = (path: string, body: Record<string, string>, auth: string) =>
    request(t.http).post(path).set('Authorization', auth).type('form').send(body);
  const clientToken = (id: string, secret: string, scope: string) =>
    form('/oauth/token', { grant_type: 'client_credentials', scope }, basic(id, secret));
  const as = (token: string) => ({
    get: (path: string) => request(t.http).get(path).set('Authorization', `Bearer ${token}`),
    post: (path: string, body?: object) =>
      request(t.http)
        .post(path)
        .set('Authorization', `Bearer ${token}`)
        .send(body ?? {}),
    patch: (path: string, body: object) =>
      request(t.http).patch(path).set('Authorization', `Bearer ${token}`).send(body),
    delete: (path: string) => request(t.http).delete(path).set('Authorization', `Bearer ${token}`),
  });
  const admin = () => as(adminToken);
  /** A resource-server client that may introspect any token (scope introspection). */
  let introspector: { id: string; secret: string };
  const isActive = async (token: string): Promise<boolean> =>
    (
      await form(
        '/oauth/introspect',
        { token },
        basic(introspector.id, introspector.secret),
      ).expect(200)
    ).body.active;
  const createClient = async (body: object = {}) =>
    (
      await admin()
        .post('/admin/clients', {
          client_name: 'Test App',
          redirect_uris: ['https://app.example.com/callback'],
          grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
          scope: ['read', 'write'],
          ...body,
        })
        .expect(201)
    ).body;
  const flushAudit = () => t.app.get(AuditService).flush();

  beforeAll(async () => {
    t = await createTestApp({
      env: { ADMIN_CLIENT_ID: ADMIN_ID, ADMIN_CLIENT_SECRET: ADMIN_SECRET },
    });
    const res = await clientToken(ADMIN_ID, ADMIN_SECRET, 'admin').expect(200);
    adminToken = res.body.access_token;
    const rs = await createClient({
      client_name: 'Resource server',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      scope: ['introspection'],
    });
    introspector = { id: rs.client_id, secret: rs.client_secret };
  });
  afterAll(() => t.close());

  describe('access', () => {
    it('should answer 401 with a Bearer challenge without a token', async () => {
      const res = await request(t.http).get('/admin/clients').expect(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    });

    it('should answer 401 invalid_token for a forged token', async () => {
      const res = await request(t.http)
        .get('/admin/users')
        .set('Authorization', 'Bearer abc.def.ghi')
        .expect(401);
      expect(res.body.error).toBe('invalid_token');
    });

    it('should answer 403 insufficient_scope to the demo user token without admin', async () => {
      const { code, verifier } = await authorizeAsUser(t.http);
      const user = (await exchangeCode(t.http, code, verifier).expect(200)).body;
      const res = await as(user.access_token).get('/admin/clients').expect(403);
      expect(res.body.error).toBe('insufficient_scope');
      expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
      await as(user.access_token).get('/admin/audit').expect(403);
    });

    it('should answer 403 to a client token with other scopes', async () => {
      const res = await clientToken(DEMO_CLIENT.clientId, DEMO_CLIENT.clientSecret, 'read').expect(
        200,
      );
      await as(res.body.access_token).get('/admin/users').expect(403);
    });

    it('should refuse scope admin to a client not registered for it', async () => {
      const res = await clientToken(DEMO_CLIENT.clientId, DEMO_CLIENT.clientSecret, 'admin').expect(
        400,
      );
      expect(res.body.error).toBe('invalid_scope');
    });

    it('should accept the admin token', async () => {
      await admin().get('/admin/clients').expect(200);
    });
  });

  describe('bootstrap from ADMIN_CLIENT_ID / ADMIN_CLIENT_SECRET', () => {
    it('should have created a confidential client_credentials client with scope admin and a bcrypt hash', async () => {
      const [row] = await t.dataSource.query(
        'SELECT client_secret_hash, grant_types, scope, token_endpoint_auth_method, source FROM oauth_clients WHERE client_id = $1',
        [ADMIN_ID],
      );
      expect(row.client_secret_hash).toMatch(/^bcrypt:\$2b\$/);
      expect(row).toMatchObject({
        grant_types: ['client_credentials'],
        scope: ['admin'],
        token_endpoint_auth_method: 'client_secret_basic',
        source: 'admin',
      });
    });

    it('should replace the hash when the configured secret changes, and leave it when it does not', async () => {
      const sut = t.app.get(ClientManagementService);
      const changed = 'e2e-admin-secret-changed-0123';
      expect(await sut.ensureAdminClient(ADMIN_ID, ADMIN_SECRET)).toBe('unchanged');
      expect(await sut.ensureAdminClient(ADMIN_ID, changed)).toBe('updated');
      try {
        expect((await clientToken(ADMIN_ID, ADMIN_SECRET, 'admin')).status).toBe(401);
        await clientToken(ADMIN_ID, changed, 'admin').expect(200);
      } finally {
        expect(await sut.ensureAdminClient(ADMIN_ID, ADMIN_SECRET)).toBe('updated');
      }
      await clientToken(ADMIN_ID, ADMIN_SECRET, 'admin').expect(200);
    });
  });

  describe('clients', () => {
    it('should register a confidential client, return its generated secret once, and store only its SHA-256', async () => {
      const res = await admin()
        .post('/admin/clients', {
          client_name: 'Reporting',
          redirect_uris: [
            'https://reports.example.com/cb',
            'http://127.0.0.1/cb',
            'cursor://anysphere.cursor/cb',
          ],
          grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
          scope: ['read'],
          application_type: 'native',
          unknown_field: 'ignored',
        })
        .expect(201);
      const body = res.body;
      expect(body.client_secret).toMatch(/^mcpcs_[A-Za-z0-9_-]{43}$/);
      expect(body).toMatchObject({
        client_name: 'Reporting',
        scope: ['read'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        source: 'admin',
        has_secret: true,
        disabled: false,
        client_secret_expires_at: null,
      });
      expect(body.unknown_field).toBeUndefined();
      expect(JSON.stringify(body)).not.toMatch(/hash|sha256|bcrypt/i);
      const [row] = await t.dataSource.query(
        'SELECT client_secret_hash FROM oauth_clients WHERE client_id = $1',
        [body.client_id],
      );
      expect(row.client_secret_hash).toMatch(/^sha256:[0-9a-f]{64}$/);

      const shown = await admin().get(`/admin/clients/${body.client_id}`).expect(200);
      expect(shown.body.client_secret).toBeUndefined();
      expect(JSON.stringify(shown.body)).not.toMatch(/hash|mcpcs_/);
      const token = await clientToken(body.client_id, body.client_secret, 'read').expect(200);
      expect(token.body.access_token).toEqual(expect.any(String));
    });

    it('should register a public client with token_endpoint_auth_method none and no secret', async () => {
      const body = await createClient({
        client_name: 'CLI',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: ['http://127.0.0.1/callback'],
        application_type: 'native',
      });
      expect(body.client_secret).toBeUndefined();
      expect(body).toMatchObject({
        has_secret: false,
        token_endpoint_auth_method: 'none',
        application_type: 'native',
      });
      const { code, verifier } = await authorizeAsUser(t.http, {
        client_id: body.client_id,
        redirect_uri: 'http://127.0.0.1:4555/callback',
      });
      await request(t.http)
        .post('/oauth/token')
        .type('form')
        .send({
          grant_type: 'authorization_code',
          code,
          code_verifier: verifier,
          redirect_uri: 'http://127.0.0.1:4555/callback',
          client_id: body.client_id,
        })
        .expect(200);
    });

    it('should store a secret the administrator chose with bcrypt and not echo it', async () => {
      const chosen = 'a-chosen-secret-of-some-length';
      const body = await createClient({
        client_secret: chosen,
        grant_types: ['client_credentials'],
        redirect_uris: [],
      });
      expect(body.client_secret).toBeUndefined();
      expect(JSON.stringify(body)).not.toContain(chosen);
      const [row] = await t.dataSource.query(
        'SELECT client_secret_hash FROM oauth_clients WHERE client_id = $1',
        [body.client_id],
      );
      expect(row.client_secret_hash).toMatch(/^bcrypt:/);
      await clientToken(body.client_id, chosen, 'read').expect(200);
    });

    it('should honour a secret expiry', async () => {
      const expires = new Date(Date.now() + 3600_000).toISOString();
      const body = await createClient({ client_secret_expires_at: expires });
      expect(body.client_secret_expires_at).toBe(expires);
      await t.dataSource.query(
        `UPDATE oauth_clients SET client_secret_expires_at = now() - interval '1 second' WHERE client_id = $1`,
        [body.client_id],
      );
      const res = await clientToken(body.client_id, body.client_secret, 'read').expect(401);
      expect(res.body).toEqual({
        error: 'invalid_client',
        error_description: 'client secret expired',
      });
    });

    it.each([
      [{ client_name: undefined }, 'invalid client_name'],
      // The DTO checks the shape; the client policy (the same as DCR's) names what is wrong.
      [{ client_name: '   ' }, 'client_name must not be empty'],
      [{ client_name: 'x'.repeat(201) }, 'client_name must be at most 200 characters'],
      [
        { redirect_uris: ['javascript:alert(1)'] },
        'redirect_uris[0] must not use the javascript scheme',
      ],
      [{ redirect_uris: ['data:text/html,x'] }, 'redirect_uris[0] must not use the data scheme'],
      [{ redirect_uris: ['file:///etc/passwd'] }, 'redirect_uris[0] must not use the file scheme'],
      [
        { redirect_uris: ['http://app.example.com/cb'] },
        'redirect_uris[0] may use http only on a loopback host',
      ],
      [
        { redirect_uris: ['https://app.example.com/cb#x'] },
        'redirect_uris[0] must not contain a fragment',
      ],
      [{ redirect_uris: [42] }, 'invalid redirect_uris'],
      [{ redirect_uris: 'https://app.example.com/cb' }, 'invalid redirect_uris'],
      [{ grant_types: ['password'] }, 'invalid grant_types'],
      [{ grant_types: [] }, 'grant_types must not be empty'],
      [{ scope: ['read write'] }, 'scope[0] is not a valid scope token'],
      [{ scope: 'read' }, 'invalid scope'],
      [{ token_endpoint_auth_method: 'private_key_jwt' }, 'invalid token_endpoint_auth_method'],
      [{ client_secret: 'short' }, 'invalid client_secret'],
      [{ client_secret_expires_at: 'tomorrow' }, 'invalid client_secret_expires_at'],
      [
        { client_secret_expires_at: '2020-01-01T00:00:00Z' },
        'client_secret_expires_at must be in the future',
      ],
      [{ redirect_uris: [] }, 'redirect_uris is required for the authorization_code grant'],
      [
        { grant_types: ['refresh_token', 'client_credentials'] },
        'grant_types refresh_token requires authorization_code',
      ],
      [
        { token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] },
        'grant_types client_credentials requires a confidential client',
      ],
      [
        { token_endpoint_auth_method: 'none', client_secret: 'a-chosen-secret-of-some-length' },
        'client_secret is not allowed when token_endpoint_auth_method is none',
      ],
    ])('should refuse %j with 400 "%s"', async (override, description) => {
      const res = await admin()
        .post('/admin/clients', {
          client_name: 'Bad',
          redirect_uris: ['https://app.example.com/cb'],
          grant_types: ['authorization_code', 'refresh_token'],
          ...override,
        })
        .expect(400);
      expect(res.body).toEqual({ error: 'invalid_request', error_description: description });
    });

    it('should list clients with filters and offset pagination', async () => {
      const tag = randomUUID().slice(0, 8);
      const made = [];
      for (let i = 0; i < 3; i++)
        made.push(await createClient({ client_name: `List ${tag} ${i}` }));
      await admin().post(`/admin/clients/${made[1].client_id}/disable`).expect(200);

      const all = (await admin().get(`/admin/clients?q=${tag}`).expect(200)).body;
      expect(all.total).toBe(3);
      expect(all.items.map((c: { client_id: string }) => c.client_id)).toEqual(
        [made[2], made[1], made[0]].map((c) => c.client_id),
      );
      expect(JSON.stringify(all)).not.toMatch(/hash|mcpcs_/);

      const page = (await admin().get(`/admin/clients?q=${tag}&limit=2&offset=2`).expect(200)).body;
      expect(page).toMatchObject({ total: 3, limit: 2, offset: 2 });
      expect(page.items.map((c: { client_id: string }) => c.client_id)).toEqual([
        made[0].client_id,
      ]);

      const disabled = (await admin().get(`/admin/clients?q=${tag}&disabled=true`).expect(200))
        .body;
      expect(disabled.items.map((c: { client_id: string }) => c.client_id)).toEqual([
        made[1].client_id,
      ]);
      const enabled = (
        await admin().get(`/admin/clients?q=${tag}&disabled=false&source=admin`).expect(200)
      ).body;
      expect(enabled.total).toBe(2);
      expect((await admin().get(`/admin/clients?q=${tag}&source=dcr`).expect(200)).body.total).toBe(
        0,
      );
      expect(
        (await admin().get(`/admin/clients?q=${made[0].client_id}`).expect(200)).body.total,
      ).toBe(1);
      // LIKE wildcards in q match literally.
      expect((await admin().get('/admin/clients?q=%25').expect(200)).body.total).toBe(0);
    });

    it.each([
      ['limit=0', 'invalid limit'],
      ['limit=201', 'invalid limit'],
      ['limit=abc', 'invalid limit'],
      ['offset=-1', 'invalid offset'],
      ['disabled=maybe', 'invalid disabled'],
      ['source=other', 'invalid source'],
      ['limit=1&limit=2', 'invalid limit'],
    ])('should refuse the list query %s', async (query, description) => {
      const res = await admin().get(`/admin/clients?${query}`).expect(400);
      expect(res.body).toEqual({ error: 'invalid_request', error_description: description });
    });

    it('should answer 404 for an unknown client on every route', async () => {
      const id = 'no-such-client';
      const expect404 = (res: request.Response) => {
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ error: 'not_found', error_description: 'client not found' });
      };
      expect404(await admin().get(`/admin/clients/${id}`));
      expect404(await admin().patch(`/admin/clients/${id}`, { client_name: 'x' }));
      expect404(await admin().post(`/admin/clients/${id}/secret`));
      expect404(await admin().post(`/admin/clients/${id}/disable`));
      expect404(await admin().post(`/admin/clients/${id}/enable`));
      expect404(await admin().delete(`/admin/clients/${id}`));
    });

    it('should update name, redirect URIs, scopes and grant types', async () => {
      const body = await createClient();
      const res = await admin()
        .patch(`/admin/clients/${body.client_id}`, {
          client_name: 'Renamed',
          redirect_uris: ['https://new.example.com/cb'],
          scope: ['read'],
          grant_types: ['client_credentials'],
        })
        .expect(200);
      expect(res.body).toMatchObject({
        client_name: 'Renamed',
        redirect_uris: ['https://new.example.com/cb'],
        scope: ['read'],
        grant_types: ['client_credentials'],
        response_types: [],
      });
      const again = (await admin().get(`/admin/clients/${body.client_id}`).expect(200)).body;
      expect(again.client_name).toBe('Renamed');
      expect((await clientToken(body.client_id, body.client_secret, 'write')).body.error).toBe(
        'invalid_scope',
      );
    });

    it.each([
      [{ client_name: null }, 'invalid client_name'],
      [{ disabled: 'yes' }, 'invalid disabled'],
      [{ redirect_uris: ['vbscript:x'] }, 'redirect_uris[0] must not use the vbscript scheme'],
      [{ redirect_uris: [] }, 'redirect_uris is required for the authorization_code grant'],
    ])('should refuse the change %j', async (change, description) => {
      const body = await createClient();
      const res = await admin().patch(`/admin/clients/${body.client_id}`, change).expect(400);
      expect(res.body).toEqual({ error: 'invalid_request', error_description: description });
    });

    it('should rotate the secret: the new one is shown once and works, the old one stops at once', async () => {
      const body = await createClient();
      await clientToken(body.client_id, body.client_secret, 'read').expect(200);
      const rotated = (await admin().post(`/admin/clients/${body.client_id}/secret`).expect(200))
        .body;
      expect(rotated.client_secret).toMatch(/^mcpcs_/);
      expect(rotated.client_secret).not.toBe(body.client_secret);
      expect(
        (await clientToken(body.client_id, body.client_secret, 'read').expect(401)).body.error,
      ).toBe('invalid_client');
      await clientToken(body.client_id, rotated.client_secret, 'read').expect(200);
      expect(
        (await admin().get(`/admin/clients/${body.client_id}`)).body.client_secret,
      ).toBeUndefined();

      const chosen = 'another-chosen-secret-123';
      const rotatedAgain = (
        await admin()
          .post(`/admin/clients/${body.client_id}/secret`, { client_secret: chosen })
          .expect(200)
      ).body;
      expect(rotatedAgain.client_secret).toBeUndefined();
      await clientToken(body.client_id, chosen, 'read').expect(200);
    });

    it('should refuse to rotate the secret of a public client', async () => {
      const body = await createClient({
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
      });
      const res = await admin().post(`/admin/clients/${body.client_id}/secret`).expect(400);
      expect(res.body.error_description).toBe(
        'client is public (token_endpoint_auth_method none) and has no secret',
      );
    });

    it('should disable a client: its tokens die, it cannot authenticate; enabling lets it in again', async () => {
      const body = await createClient({ scope: ['read', 'admin'] });
      const own = (await clientToken(body.client_id, body.client_secret, 'admin').expect(200)).body
        .access_token;
      await as(own).get('/admin/users').expect(200);
      const { code, verifier } = await authorizeAsUser(t.http, {
        client_id: body.client_id,
        redirect_uri: 'https://app.example.com/callback',
        scope: 'read',
      });
      const user = (
        await exchangeCode(t.http, code, verifier, {
          redirect_uri: 'https://app.example.com/callback',
        })
          .set('Authorization', basic(body.client_id, body.client_secret))
          .expect(200)
      ).body;
      expect(await isActive(user.access_token)).toBe(true);

      const res = await admin().post(`/admin/clients/${body.client_id}/disable`).expect(200);
      expect(res.body.disabled).toBe(true);
      expect((await as(own).get('/admin/users').expect(401)).body.error).toBe('invalid_token');
      expect(await isActive(user.access_token)).toBe(false);
      expect(await isActive(user.refresh_token)).toBe(false);
      expect(
        (await clientToken(body.client_id, body.client_secret, 'read').expect(401)).body.error,
      ).toBe('invalid_client');

      expect(
        (await admin().post(`/admin/clients/${body.client_id}/enable`).expect(200)).body.disabled,
      ).toBe(false);
      const fresh = (await clientToken(body.client_id, body.client_secret, 'admin').expect(200))
        .body.access_token;
      await as(fresh).get('/admin/users').expect(200);
      // Enabling does not bring revoked tokens back.
      expect(await isActive(user.refresh_token)).toBe(false);
    });

    it('should also disable through PATCH {disabled: true}', async () => {
      const body = await createClient({ scope: ['admin'] });
      const own = (await clientToken(body.client_id, body.client_secret, 'admin').expect(200)).body
        .access_token;
      await admin().patch(`/admin/clients/${body.client_id}`, { disabled: true }).expect(200);
      await as(own).get('/admin/users').expect(401);
    });

    it('should delete a client with everything it holds: its tokens are rejected at once', async () => {
      const body = await createClient({ scope: ['read', 'admin'] });
      const own = (await clientToken(body.client_id, body.client_secret, 'admin').expect(200)).body
        .access_token;
      await as(own).get('/admin/clients').expect(200);
      const { code, verifier } = await authorizeAsUser(t.http, {
        client_id: body.client_id,
        redirect_uri: 'https://app.example.com/callback',
        scope: 'read',
      });
      const user = (
        await exchangeCode(t.http, code, verifier, {
          redirect_uri: 'https://app.example.com/callback',
        })
          .set('Authorization', basic(body.client_id, body.client_secret))
          .expect(200)
      ).body;

      await admin().delete(`/admin/clients/${body.client_id}`).expect(204);
      expect((await as(own).get('/admin/clients').expect(401)).body.error).toBe('invalid_token');
      expect(await isActive(user.access_token)).toBe(false);
      const refresh = await form(
        '/oauth/token',
        { grant_type: 'refresh_token', refresh_token: user.refresh_token },
        basic(body.client_id, body.client_secret),
      );
      expect(refresh.body.error).toBe('invalid_client');
      for (const table of [
        'access_tokens',
        'refresh_tokens',
        'grants',
        'consents',
        'authorization_codes',
      ]) {
        const [row] = await t.dataSource.query(
          `SELECT count(*)::int AS n FROM ${table} WHERE client_id = $1`,
          [body.client_id],
        );
        expect(row.n).toBe(0);
      }
      await admin().get(`/admin/clients/${body.client_id}`).expect(404);
      await admin().delete(`/admin/clients/${body.client_id}`).expect(404);
    });
  });

  describe('users', () => {
    const createUser = async (body: object = {}) =>
      (
        await admin()
          .post('/admin/users', {
            username: `u_${randomUUID().slice(0, 8)}`,
            password: 'a-good-password',
            ...body,
          })
          .expect(201)
      ).body;
    /** Signs the user in, approves the demo client, and returns its tokens. */
    const userTokens = async (username: string, password: string) => {
      const agent = browser(t.http);
      expect((await signIn(agent, '/account/apps', username, password)).status).toBe(303);
      const { code, verifier } = await authorizeAsUser(t.http, {}, { agent });
      return (await exchangeCode(t.http, code, verifier).expect(200)).body;
    };

    it('should create a user without ever returning a password or hash, and let them sign in', async () => {
      const body = await createUser({
        username: 'alice_e2e',
        email: 'alice@example.com',
        name: 'Alice',
        scopes: ['read'],
      });
      expect(body).toMatchObject({
        username: 'alice_e2e',
        email: 'alice@example.com',
        name: 'Alice',
        scopes: ['read'],
        disabled: false,
      });
      expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.stringify(body)).not.toMatch(/password|hash|\$2b\$/i);
      const login = await signIn(browser(t.http), '/account/apps', 'alice_e2e', 'a-good-password');
      expect(login.status).toBe(303);
      const [row] = await t.dataSource.query('SELECT password_hash FROM users WHERE id = $1', [
        body.id,
      ]);
      expect(row.password_hash).toMatch(/^\$2b\$/);
    });

    it('should give new users the baseline scopes by default', async () => {
      expect((await createUser()).scopes).toEqual(['read', 'write']);
    });

    it('should answer 409 for a username that exists', async () => {
      const res = await admin()
        .post('/admin/users', { username: 'demo_user', password: 'a-good-password' })
        .expect(409);
      expect(res.body).toEqual({
        error: 'invalid_request',
        error_description: 'username already exists',
      });
    });

    it.each([
      [{ password: 'short' }, 'invalid password'],
      [{ password: undefined }, 'invalid password'],
      [{ username: 'has space' }, 'invalid username'],
      [{ username: '' }, 'invalid username'],
      [{ email: 'not-an-email' }, 'invalid email'],
      [{ scopes: ['ok', 'not ok'] }, 'invalid scopes'],
      [{ name: 42 }, 'invalid name'],
    ])('should refuse %j with 400 "%s"', async (override, description) => {
      const res = await admin()
        .post('/admin/users', { username: 'bob_e2e', password: 'a-good-password', ...override })
        .expect(400);
      expect(res.body).toEqual({ error: 'invalid_request', error_description: description });
    });

    it('should list users with q, disabled and pagination', async () => {
      const tag = randomUUID().slice(0, 8);
      const a = await createUser({ username: `list_${tag}_a` });
      const b = await createUser({ username: `list_${tag}_b`, email: `b_${tag}@example.com` });
      await admin().patch(`/admin/users/${a.id}`, { disabled: true }).expect(200);
      const all = (await admin().get(`/admin/users?q=${tag}`).expect(200)).body;
      expect(all.items.map((u: { id: string }) => u.id)).toEqual([b.id, a.id]);
      expect(JSON.stringify(all)).not.toMatch(/password|hash/i);
      expect(
        (await admin().get(`/admin/users?q=${tag}&disabled=true`).expect(200)).body.items.map(
          (u: { id: string }) => u.id,
        ),
      ).toEqual([a.id]);
      const page = (await admin().get(`/admin/users?q=${tag}&limit=1&offset=1`).expect(200)).body;
      expect(page).toMatchObject({ total: 2, limit: 1, offset: 1 });
      expect(page.items[0].id).toBe(a.id);
      expect((await admin().get(`/admin/users?q=b_${tag}@example`).expect(200)).body.total).toBe(1);
      await admin().get('/admin/users?limit=500').expect(400);
    });

    it('should answer 404 for ids that name no user, including ones that are not UUIDs', async () => {
      for (const id of ['not-a-uuid', randomUUID(), "1' OR '1'='1"]) {
        const path = `/admin/users/${encodeURIComponent(id)}`;
        expect((await admin().get(path)).body).toEqual({
          error: 'not_found',
          error_description: 'user not found',
        });
        expect((await admin().patch(path, { name: 'x' })).status).toBe(404);
        expect(
          (await admin().post(`${path}/password`, { password: 'a-good-password' })).status,
        ).toBe(404);
      }
    });

    it('should update email, name and scopes; null clears email and name', async () => {
      const user = await createUser({ email: 'x@example.com', name: 'X' });
      const res = await admin()
        .patch(`/admin/users/${user.id}`, { email: null, name: 'Y', scopes: ['read'] })
        .expect(200);
      expect(res.body).toMatchObject({ email: null, name: 'Y', scopes: ['read'], disabled: false });
      expect((await admin().get(`/admin/users/${user.id}`).expect(200)).body.name).toBe('Y');
      expect(
        (await admin().patch(`/admin/users/${user.id}`, { disabled: null }).expect(400)).body
          .error_description,
      ).toBe('invalid disabled');
      expect(
        (await admin().patch(`/admin/users/${user.id}`, { scopes: null }).expect(400)).body
          .error_description,
      ).toBe('invalid scopes');
    });

    it('should revoke every grant of a user who is disabled, and refuse their sign-in', async () => {
      const user = await createUser({ username: `dis_${randomUUID().slice(0, 8)}` });
      const tokens = await userTokens(user.username, 'a-good-password');
      expect(await isActive(tokens.access_token)).toBe(true);

      const res = await admin().patch(`/admin/users/${user.id}`, { disabled: true }).expect(200);
      expect(res.body.disabled).toBe(true);
      expect(await isActive(tokens.access_token)).toBe(false);
      const refresh = await form(
        '/oauth/token',
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        demoBasic(),
      );
      expect(refresh.body.error).toBe('invalid_grant');
      const grants = await t.dataSource.query(
        'SELECT revoked_reason FROM grants WHERE user_id = $1',
        [user.id],
      );
      expect(grants.map((g: { revoked_reason: string }) => g.revoked_reason)).toEqual([
        'user_disabled',
      ]);
      expect(
        (await signIn(browser(t.http), '/account/apps', user.username, 'a-good-password')).status,
      ).toBe(400);
    });

    it('should reset a password: the old one stops working, the new one works, and grants are revoked', async () => {
      const user = await createUser({ username: `pw_${randomUUID().slice(0, 8)}` });
      const tokens = await userTokens(user.username, 'a-good-password');
      await admin().post(`/admin/users/${user.id}/password`, { password: 'short' }).expect(400);
      await admin()
        .post(`/admin/users/${user.id}/password`, { password: 'a-brand-new-password' })
        .expect(204);
      expect(await isActive(tokens.refresh_token)).toBe(false);
      expect(
        (await signIn(browser(t.http), '/account/apps', user.username, 'a-good-password')).status,
      ).toBe(400);
      expect(
        (await signIn(browser(t.http), '/account/apps', user.username, 'a-brand-new-password'))
          .status,
      ).toBe(303);
      const [grant] = await t.dataSource.query(
        'SELECT revoked_reason FROM grants WHERE user_id = $1',
        [user.id],
      );
      expect(grant.revoked_reason).toBe('password_reset');
    });
  });

  describe('audit', () => {
    it('should record the admin events and one admin.call per request, without secrets', async () => {
      const body = await createClient({ client_name: 'Audited' });
      await admin().post(`/admin/clients/${body.client_id}/secret`).expect(200);
      await admin()
        .patch(`/admin/clients/${body.client_id}`, { client_name: 'Audited 2' })
        .expect(200);
      await admin().delete(`/admin/clients/${body.client_id}`).expect(204);
      await flushAudit();

      const events = (
        await admin().get(`/admin/audit?client_id=${body.client_id}&limit=200`).expect(200)
      ).body.items;
      const types = events.map((e: { type: string }) => e.type).sort();
      expect(types).toEqual([
        'client.deleted',
        'client.registered',
        'client.secret_rotated',
        'client.updated',
      ]);
      expect(
        events.every((e: { details: { actor: string } }) => e.details.actor === ADMIN_ID),
      ).toBe(true);

      const calls = (
        await admin()
          .get(`/admin/audit?type=admin.call&client_id=${ADMIN_ID}&limit=200`)
          .expect(200)
      ).body.items;
      const targets = calls.filter(
        (e: { details: { target?: string } }) => e.details.target === body.client_id,
      );
      expect(targets.map((e: { details: { method: string } }) => e.details.method).sort()).toEqual([
        'DELETE',
        'PATCH',
        'POST',
      ]);
      expect(targets[0]).toMatchObject({
        outcome: 'success',
        client_id: ADMIN_ID,
        details: { route: expect.stringContaining('/admin/clients/') },
      });

      const everything = (await admin().get('/admin/audit?limit=200').expect(200)).body;
      expect(JSON.stringify(everything)).not.toMatch(/mcpcs_|\$2b\$|a-good-password/);
    });

    it('should record user events under the user id', async () => {
      const user = (
        await admin()
          .post('/admin/users', {
            username: `audit_${randomUUID().slice(0, 8)}`,
            password: 'a-good-password',
          })
          .expect(201)
      ).body;
      await admin().patch(`/admin/users/${user.id}`, { name: 'Renamed' }).expect(200);
      await admin().patch(`/admin/users/${user.id}`, { disabled: true }).expect(200);
      await flushAudit();
      const items = (await admin().get(`/admin/audit?user_id=${user.id}`).expect(200)).body.items;
      expect(items.map((e: { type: string }) => e.type)).toEqual([
        'user.disabled',
        'user.updated',
        'user.created',
      ]);
      expect(
        (await admin().get(`/admin/audit?user_id=${user.id}&type=user.created`).expect(200)).body
          .items,
      ).toHaveLength(1);
      expect((await admin().get('/admin/audit?user_id=not-a-uuid').expect(200)).body).toEqual({
        items: [],
        next_cursor: null,
      });
    });

    it('should page through events by cursor with no gaps or duplicates', async () => {
      await flushAudit();
      const before = new Set(
        (await admin().get(`/admin/audit?type=admin.call&limit=200`).expect(200)).body.items.map(
          (e: { id: string }) => e.id,
        ),
      );
      for (let i = 0; i < 5; i++) await admin().get('/admin/clients?limit=1').expect(200);
      await flushAudit();
      const all = (
        await admin().get(`/admin/audit?type=admin.call&limit=200`).expect(200)
      ).body.items.map((e: { id: string }) => e.id);
      // Exactly the five listings and the audit read before them are new: every admin call is audited once.
      expect(all.filter((id: string) => !before.has(id))).toHaveLength(6);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `/admin/audit?type=admin.call&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page: { items: Array<{ id: string }>; next_cursor: string | null } = (
          await admin().get(query).expect(200)
        ).body;
        seen.push(...page.items.map((e) => e.id));
        cursor = page.next_cursor;
        pages++;
      } while (cursor && pages < 200);
      // Later admin.call events (these very queries) are newer, so they never appear in the walk.
      expect(seen.slice(0, all.length)).toEqual(all);
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('should filter by time range', async () => {
      await flushAudit();
      const future = new Date(Date.now() + 3600_000).toISOString();
      expect((await admin().get(`/admin/audit?from=${future}`).expect(200)).body.items).toEqual([]);
      const items = (
        await admin().get(`/admin/audit?from=2000-01-01T00:00:00Z&to=${future}&limit=3`).expect(200)
      ).body.items;
      expect(items).toHaveLength(3);
    });

    it('should answer 400 to a tampered or foreign cursor', async () => {
      const page = (await admin().get('/admin/audit?limit=1').expect(200)).body;
      const [payload, signature] = page.next_cursor.split('.');
      const forged = `${Buffer.from(JSON.stringify({ at: '2999-01-01T00:00:00.000000Z', id: randomUUID() })).toString('base64url')}.${signature}`;
      for (const cursor of [
        forged,
        `${payload}.${signature.slice(0, -2)}AA`,
        'garbage',
        `${payload}.`,
      ]) {
        const res = await admin()
          .get(`/admin/audit?cursor=${encodeURIComponent(cursor)}`)
          .expect(400);
        expect(res.body).toEqual({ error: 'invalid_request', error_description: 'invalid cursor' });
      }
    });

    it.each([
      ['from=yesterday', 'invalid from'],
      ['to=2024-13-45T00:00:00Z', 'invalid to'],
      ['from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z', 'from must be before to'],
      ['type=no.such.event', 'invalid type'],
      ['limit=0', 'invalid limit'],
    ])('should answer 400 to %s', async (query, description) => {
      const res = await admin().get(`/admin/audit?${query}`).expect(400);
      expect(res.body).toEqual({ error: 'invalid_request', error_description: description });
    });
  });

  describe('OpenAPI', () => {
    it('should publish the admin API description, and only it, without a token', async () => {
      const res = await request(t.http).get('/admin/docs-json').expect(200);
      const paths = Object.keys(res.body.paths).sort();
      expect(paths).toEqual([
        '/admin/audit',
        '/admin/clients',
        '/admin/clients/{id}',
        '/admin/clients/{id}/disable',
        '/admin/clients/{id}/enable',
        '/admin/clients/{id}/secret',
        '/admin/users',
        '/admin/users/{id}',
        '/admin/users/{id}/password',
      ]);
      expect(res.body.components.securitySchemes['admin-token']).toMatchObject({
        type: 'http',
        scheme: 'bearer',
      });
      expect(res.body.paths['/admin/clients'].post.security).toEqual([{ 'admin-token': [] }]);
      expect(Object.keys(res.body.components.schemas)).toEqual(
        expect.arrayContaining(['CreateClientDto', 'ClientResponseDto', 'UserResponseDto']),
      );
    });

    it('should serve Swagger UI at /admin/docs', async () => {
      const res = await request(t.http).get('/admin/docs').redirects(1).expect(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('swagger-ui');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    });
  });
});
