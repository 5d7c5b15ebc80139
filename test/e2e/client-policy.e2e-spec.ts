import request from 'supertest';
import { ClientManagementService } from 'src/clients/client-management.service';
import { ClientsService } from 'src/clients/clients.service';
import { DEMO_CLIENT } from 'src/seed/demo-data';
import { basic, insertClient } from '../factories/client.factory';
import { authorizePath, AuthorizeParams, browser, signIn } from '../support/browser';
import { pkcePair } from '../support/pkce';
import { createTestApp, TestApp } from './create-test-app';

/*
 * The one client policy (docs/security.md §11): which redirect URIs any client may
 * register, whatever the path (admin API, DCR, RFC 7592, CLI, seed); when /authorize may send an
 * error to a redirect URI before the person has seen anything (RFC 9700 §4.11.2); when a loopback
 * port may vary (RFC 8252 §7.3); how the consent page presents a client nobody vetted.
 */

const ADMIN_ID = 'policy-admin';
const ADMIN_SECRET = 'policy-admin-secret-0123456789';
type Json = Record<string, any>;

describe('Client policy (e2e)', () => {
  let t: TestApp;
  let adminToken: string;
  const { challenge } = pkcePair();

  const register = (body: object) => request(t.http).post('/oauth/register').send(body);
  const registered = async (body: object): Promise<Json> => {
    const res = await register({ client_name: 'Claude', ...body });
    if (res.status !== 201)
      throw new Error(`registration failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const admin = {
    post: (path: string, body: object) =>
      request(t.http).post(path).set('Authorization', `Bearer ${adminToken}`).send(body),
    patch: (path: string, body: object) =>
      request(t.http).patch(path).set('Authorization', `Bearer ${adminToken}`).send(body),
  };
  const adminClient = async (body: object): Promise<Json> => {
    const res = await admin.post('/admin/clients', {
      client_name: 'Vetted App',
      grant_types: ['authorization_code', 'refresh_token'],
      ...body,
    });
    if (res.status !== 201)
      throw new Error(`admin create failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const authorize = (params: AuthorizeParams) =>
    authorizePath({
      response_type: 'code',
      scope: 'read',
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...params,
    });
  const expectPage = (res: request.Response, text?: RegExp) => {
    expect({ status: res.status, location: res.headers.location }).toEqual({
      status: 400,
      location: undefined,
    });
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    if (text) expect(res.text).toMatch(text);
  };
  const expectErrorRedirect = (res: request.Response, redirectUri: string, error: string) => {
    expect(res.status).toBe(302);
    const url = new URL(res.headers.location);
    expect(`${url.origin}${url.pathname}`).toBe(redirectUri);
    expect(url.searchParams.get('error')).toBe(error);
    expect(url.searchParams.get('iss')).toBe(t.config.issuer);
  };

  beforeAll(async () => {
    t = await createTestApp({
      env: { ADMIN_CLIENT_ID: ADMIN_ID, ADMIN_CLIENT_SECRET: ADMIN_SECRET },
    });
    const res = await request(t.http)
      .post('/oauth/token')
      .set('Authorization', basic(ADMIN_ID, ADMIN_SECRET))
      .type('form')
      .send({ grant_type: 'client_credentials', scope: 'admin' })
      .expect(200);
    adminToken = res.body.access_token;
  });
  afterAll(() => t.close());

  describe('pre-login errors of clients nobody vetted (RFC 9700 §4.11.2)', () => {
    const EVIL = 'https://evil.example/login-expired';

    it('should show a page, not redirect, for every error before the person has seen anything', async () => {
      const { client_id } = await registered({
        redirect_uris: [EVIL],
        token_endpoint_auth_method: 'none',
      });
      for (const params of [
        { scope: 'nonexistent' },
        { response_type: 'token' },
        { prompt: 'none' },
        { code_challenge_method: 'plain' },
        { resource: 'https://other.example/mcp' },
      ]) {
        const res = await request(t.http).get(
          authorize({ client_id, redirect_uri: EVIL, ...params }),
        );
        expectPage(res);
        expect(res.text).not.toContain('evil.example/login-expired?');
      }
    });

    it('should still redirect errors to a loopback redirect URI (the person’s own machine)', async () => {
      const redirectUri = 'http://127.0.0.1:7777/callback';
      const { client_id } = await registered({
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: 'none',
      });
      const res = await request(t.http).get(
        authorize({ client_id, redirect_uri: redirectUri, scope: 'nonexistent' }),
      );
      expectErrorRedirect(res, redirectUri, 'invalid_scope');
    });

    it('should still redirect errors of a client an administrator registered', async () => {
      const redirectUri = 'https://vetted.example/callback';
      const { client_id } = await adminClient({ redirect_uris: [redirectUri] });
      const res = await request(t.http).get(
        authorize({ client_id, redirect_uri: redirectUri, scope: 'nonexistent' }),
      );
      expectErrorRedirect(res, redirectUri, 'invalid_scope');
      const none = await request(t.http).get(
        authorize({ client_id, redirect_uri: redirectUri, prompt: 'none' }),
      );
      expectErrorRedirect(none, redirectUri, 'login_required');
    });

    it('should show a page for prompt=none errors of a signed-in person, and redirect a denial they chose', async () => {
      const { client_id } = await registered({
        redirect_uris: [EVIL],
        token_endpoint_auth_method: 'none',
      });
      const agent = browser(t.http);
      const path = authorize({ client_id, redirect_uri: EVIL });
      expect((await signIn(agent, path)).status).toBe(303);
      expectPage(
        await agent.get(authorize({ client_id, redirect_uri: EVIL, prompt: 'none' })),
        /consent required/,
      );
      const consent = await agent.get(path).expect(200);
      const fields = Object.fromEntries(
        [...consent.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
          (m) => [m[1], m[2].replace(/&amp;/g, '&')],
        ),
      );
      const denied = await agent
        .post('/consent')
        .type('form')
        .send({ ...fields, decision: 'deny' });
      expect(denied.status).toBe(303);
      expect(new URL(denied.headers.location).searchParams.get('error')).toBe('access_denied');
    });
  });

  it('should not redirect to a stored redirect URI that the policy now refuses (a row from before it)', async () => {
    const legacy = await insertClient(t.dataSource, { redirectUris: ['ms-msdt:/id', 'https://old.example/cb'] });
    const res = await request(t.http).get(authorize({ client_id: legacy.clientId, redirect_uri: 'ms-msdt:/id', scope: 'nonexistent' }));
    expectPage(res, /redirect_uri is not allowed by this server/);
    const fine = await request(t.http).get(
      authorize({ client_id: legacy.clientId, redirect_uri: 'https://old.example/cb', scope: 'nonexistent' }),
    );
    expectErrorRedirect(fine, 'https://old.example/cb', 'invalid_scope');
  });

  describe('custom schemes: an allowlist of shapes (RFC 8252 §7.1)', () => {
    it.each([
      ['ms-msdt:/id PCWDiagnostic'],
      ['ms-msdt:/id'],
      ['chrome://settings'],
      ['mailto:someone@example.com'],
      ['tel:+15555550100'],
      ['view-source:https://example.com/'],
      ['x-apple.systempreferences:com.apple.preference.security'],
      ['myapp://callback'],
      ['search-ms:query=x'],
    ])('should refuse %s at registration and in the admin API', async (uri) => {
      const dcr = await register({ redirect_uris: [uri], token_endpoint_auth_method: 'none' });
      expect({ status: dcr.status, error: dcr.body.error }).toEqual({
        status: 400,
        error: 'invalid_redirect_uri',
      });
      expect(dcr.body.error_description).toMatch(/^redirect_uris\[0\] /);
      const byAdmin = await admin.post('/admin/clients', {
        client_name: 'X',
        redirect_uris: [uri],
        application_type: 'native',
      });
      expect({ status: byAdmin.status, error: byAdmin.body.error }).toEqual({
        status: 400,
        error: 'invalid_request',
      });
      expect(byAdmin.body.error_description).toMatch(/^redirect_uris\[0\] /);
    });

    it.each([
      ['com.example.app:/oauth2redirect'],
      ['com.example.app://callback'],
      ['cursor://anysphere.cursor-retrieval/oauth/callback'],
    ])('should accept %s for a native client, on every path', async (uri) => {
      const dcr = await register({ redirect_uris: [uri], token_endpoint_auth_method: 'none' });
      expect(dcr.status).toBe(201);
      expect(dcr.body.application_type).toBe('native');
      const byAdmin = await admin.post('/admin/clients', {
        client_name: 'X',
        redirect_uris: [uri],
        application_type: 'native',
      });
      expect(byAdmin.status).toBe(201);
    });
  });

  describe('one policy for every path (issue 14)', () => {
    it('should refuse the same redirect URIs and names through the admin API (POST and PATCH) as through DCR', async () => {
      const { client_id } = await adminClient({ redirect_uris: ['https://vetted.example/cb'] });
      for (const body of [
        { redirect_uris: ['http://evil.example/cb'] },
        { redirect_uris: ['https://user:pw@vetted.example/cb'] },
        { redirect_uris: ['https://vetted.example/cb\u0085'] },
        { client_name: 'Cl\u202eaude' },
      ]) {
        const patched = await admin.patch(`/admin/clients/${client_id}`, body);
        expect({ status: patched.status, error: patched.body.error }).toEqual({
          status: 400,
          error: 'invalid_request',
        });
        const created = await admin.post('/admin/clients', {
          client_name: 'X',
          redirect_uris: ['https://vetted.example/cb'],
          ...body,
        });
        expect({ status: created.status, error: created.body.error }).toEqual({
          status: 400,
          error: 'invalid_request',
        });
        const dcr = await register({
          client_name: 'X',
          redirect_uris: ['https://vetted.example/cb'],
          ...body,
        });
        expect(dcr.status).toBe(400);
      }
    });

    it('should refuse a private-use scheme for a web client on the admin path as DCR does', async () => {
      const res = await admin.post('/admin/clients', {
        client_name: 'X',
        redirect_uris: ['https://vetted.example/cb', 'com.example.app:/cb'],
        application_type: 'web',
      });
      expect(res.status).toBe(400);
      expect(res.body.error_description).toBe(
        'redirect_uris[1] uses a private-use uri scheme, which requires application_type native',
      );
    });

    it('should apply the policy to ClientAdminService.create (the CLI) and to the seed path', async () => {
      await expect(
        t.app.get(ClientManagementService).create({
          clientName: 'CLI',
          redirectUris: ['javascript:alert(1)'],
          grantTypes: ['authorization_code'],
          scope: ['read'],
          tokenEndpointAuthMethod: 'client_secret_basic',
        }),
      ).rejects.toMatchObject({
        code: 'invalid_request',
        description: 'redirect_uris[0] must not use the javascript scheme',
      });
      await expect(
        t.app.get(ClientsService).createIfAbsent(
          {
            clientId: 'seeded_bad',
            clientName: 'Seed',
            redirectUris: ['http://evil.example/cb'],
            grantTypes: ['authorization_code'],
            responseTypes: ['code'],
            scope: ['read'],
            tokenEndpointAuthMethod: 'client_secret_basic',
            applicationType: 'web',
            source: 'admin',
          },
          'seed-secret-0123456789',
        ),
      ).rejects.toMatchObject({
        description: 'redirect_uris[0] may use http only on a loopback host',
      });
      const rows = await t.dataSource.query(
        `SELECT 1 FROM oauth_clients WHERE client_id = 'seeded_bad'`,
      );
      expect(rows).toHaveLength(0);
    });

    it('should apply the policy to RFC 7592 updates', async () => {
      const reg = await registered({
        redirect_uris: ['https://app.example/cb'],
        token_endpoint_auth_method: 'none',
      });
      const res = await request(t.http)
        .put(`/oauth/register/${reg.client_id}`)
        .set('Authorization', `Bearer ${reg.registration_access_token}`)
        .send({
          client_id: reg.client_id,
          redirect_uris: ['ms-msdt:/id'],
          token_endpoint_auth_method: 'none',
        });
      expect({ status: res.status, error: res.body.error }).toEqual({
        status: 400,
        error: 'invalid_redirect_uri',
      });
    });
  });

  describe('loopback port matching (RFC 8252 §7.3)', () => {
    const login = (res: request.Response) => {
      expect(res.status).toBe(302);
      expect(res.headers.location).toMatch(/^\/login\?return_to=/);
    };

    it('should not let the port vary for localhost, even for a native public client', async () => {
      const { client_id } = await registered({
        redirect_uris: ['http://localhost:3000/cb'],
        token_endpoint_auth_method: 'none',
      });
      expectPage(
        await request(t.http).get(
          authorize({ client_id, redirect_uri: 'http://localhost:4444/cb' }),
        ),
        /not registered/,
      );
      login(
        await request(t.http).get(
          authorize({ client_id, redirect_uri: 'http://localhost:3000/cb' }),
        ),
      );
    });

    it('should not let the port vary for a confidential web client (the demo client)', async () => {
      expectPage(
        await request(t.http).get(
          authorize({
            client_id: DEMO_CLIENT.clientId,
            redirect_uri: 'http://localhost:4444/callback',
          }),
        ),
        /not registered/,
      );
      const { client_id } = await adminClient({
        redirect_uris: ['http://127.0.0.1:3000/cb'],
        application_type: 'web',
      });
      expectPage(
        await request(t.http).get(
          authorize({ client_id, redirect_uri: 'http://127.0.0.1:4444/cb' }),
        ),
        /not registered/,
      );
    });

    it('should let the port vary for loopback IP literals of native or public clients', async () => {
      const { client_id } = await registered({
        redirect_uris: ['http://127.0.0.1:3000/cb', 'http://[::1]/cb'],
        token_endpoint_auth_method: 'none',
      });
      login(
        await request(t.http).get(
          authorize({ client_id, redirect_uri: 'http://127.0.0.1:4444/cb' }),
        ),
      );
      login(
        await request(t.http).get(authorize({ client_id, redirect_uri: 'http://[::1]:4444/cb' })),
      );
      expectPage(
        await request(t.http).get(
          authorize({ client_id, redirect_uri: 'http://127.0.0.1:4444/other' }),
        ),
        /not registered/,
      );
      const native = await adminClient({
        redirect_uris: ['http://127.0.0.1/cb'],
        application_type: 'native',
      });
      login(
        await request(t.http).get(
          authorize({ client_id: native.client_id, redirect_uri: 'http://127.0.0.1:5555/cb' }),
        ),
      );
    });
  });

  describe('the consent page', () => {
    const consentFor = async (clientId: string, redirectUri: string): Promise<string> => {
      const agent = browser(t.http);
      const path = authorize({ client_id: clientId, redirect_uri: redirectUri });
      await signIn(agent, path);
      return (await agent.get(path).expect(200)).text;
    };
    const heading = (page: string) => /<h1>([\s\S]*?)<\/h1>/.exec(page)![1];

    it('should not present a self-asserted name as fact, and put the redirect host first', async () => {
      const { client_id } = await registered({
        redirect_uris: ['https://claude.evil.example/cb'],
        token_endpoint_auth_method: 'none',
      });
      const page = await consentFor(client_id, 'https://claude.evil.example/cb');
      expect(heading(page)).not.toContain('Claude');
      expect(heading(page)).toContain('claude.evil.example');
      expect(page).toContain('Unverified application');
      expect(page).toMatch(/calls itself <strong>“Claude”<\/strong>/);
    });

    it('should name an administrator-registered client as such', async () => {
      const { client_id } = await adminClient({
        client_name: 'Reporting',
        redirect_uris: ['https://reports.example/cb'],
      });
      const page = await consentFor(client_id, 'https://reports.example/cb');
      expect(heading(page)).toContain('<strong>Reporting</strong>');
      expect(page).not.toContain('Unverified application');
      expect(page).toContain('reports.example');
    });
  });
});
