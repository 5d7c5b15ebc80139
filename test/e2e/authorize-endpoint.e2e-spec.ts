import request from 'supertest';
import { DEMO_CLIENT } from 'src/seed/demo-data';
import { authorizeAsUser, authorizePath, AuthorizeParams, browser, formFields, signIn } from '../support/browser';
import { pkcePair } from '../support/pkce';
import { insertClient } from '../factories/client.factory';
import { createTestApp, TestApp } from './create-test-app';

const cookies = (res: request.Response): string[] => (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];

describe('GET /oauth/authorize and the login and consent pages (e2e)', () => {
  let t: TestApp;
  const { challenge } = pkcePair();
  const valid = (overrides: AuthorizeParams = {}): string =>
    authorizePath({
      response_type: 'code',
      client_id: DEMO_CLIENT.clientId,
      redirect_uri: DEMO_CLIENT.redirectUris[0],
      scope: 'read',
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...overrides,
    });

  /** Expects an error redirect to the demo redirect URI with state and iss. */
  async function expectErrorRedirect(path: string, error: string, description?: string) {
    const res = await request(t.http).get(path);
    expect(res.status).toBe(302);
    const url = new URL(res.headers.location);
    expect(url.origin + url.pathname).toBe(DEMO_CLIENT.redirectUris[0]);
    expect(url.searchParams.get('error')).toBe(error);
    if (description) expect(url.searchParams.get('error_description')).toBe(description);
    expect(url.searchParams.get('iss')).toBe(t.config.issuer);
    expect(url.searchParams.get('state')).toBe('st');
    expect(url.searchParams.get('code')).toBeNull();
    return url;
  }

  async function expectErrorPage(path: string, text: RegExp) {
    const res = await request(t.http).get(path);
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toMatch(text);
    return res;
  }

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  describe('before the redirect URI is trusted: an error page, never a redirect', () => {
    it('should render a page for an unknown or missing client_id', async () => {
      await expectErrorPage(valid({ client_id: 'nope' }), /unknown client/);
      await expectErrorPage(valid({ client_id: undefined }), /client_id is required/);
    });

    it('should render a page for a redirect_uri that is not byte-identical to a registered one', async () => {
      for (const uri of [
        'http://localhost:3000/callback/',
        'http://localhost:3000/callback?x=1',
        'http://localhost:3000/Callback',
        'http://localhost:3000/callback#frag',
        'http://localhost:3000/callback/../callback',
        'https://evil.example.com/callback',
        'http://127.0.0.1:3000/callback',
      ]) {
        await expectErrorPage(valid({ redirect_uri: uri }), /redirect_uri is not registered/);
      }
    });

    it('should let only the port vary for a loopback IP redirect URI of a public client (RFC 8252 §7.3)', async () => {
      // The demo client is a confidential web client on localhost: exact match only.
      await expectErrorPage(valid({ redirect_uri: 'http://localhost:49152/callback' }), /redirect_uri is not registered/);
      const native = await insertClient(t.dataSource, {
        redirectUris: ['http://127.0.0.1/cb'],
        tokenEndpointAuthMethod: 'none',
      });
      const res = await request(t.http).get(
        valid({ client_id: native.clientId, redirect_uri: 'http://127.0.0.1:33418/cb' }),
      );
      expect(res.status).toBe(302);
      expect(res.headers.location).toMatch(/^\/login/);
    });

    it('should not relax the port for non-loopback http URIs', async () => {
      const web = await insertClient(t.dataSource, { redirectUris: ['http://app.example.com:8080/cb'] });
      await expectErrorPage(
        valid({ client_id: web.clientId, redirect_uri: 'http://app.example.com:9090/cb' }),
        /not registered/,
      );
    });

    it('should render a page when client_id or redirect_uri is duplicated', async () => {
      await expectErrorPage(`${valid()}&client_id=other`, /client_id must be given once/);
      await expectErrorPage(`${valid()}&redirect_uri=https%3A%2F%2Fevil.example.com`, /redirect_uri must be given once/);
    });

    it('should put nothing it was sent into the error page, escaped or not, under a strict CSP', async () => {
      const payload = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
      const pages = [
        await expectErrorPage(valid({ client_id: payload }), /unknown client/),
        await expectErrorPage(valid({ redirect_uri: `https://app.example.com/cb${payload}` }), /not registered/),
        await expectErrorPage(`${valid()}&client_id=${encodeURIComponent(payload)}`, /client_id must be given once/),
      ];
      for (const res of pages) {
        expect(res.text).not.toMatch(/<script|<img|onerror|alert\(/i);
        expect(res.text).not.toContain('&lt;script&gt;'); // not echoed at all, not even escaped
        expect(res.headers['content-security-policy']).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
      }
    });
  });

  describe('after it is trusted: an error redirect with state and iss (RFC 9207)', () => {
    it('should refuse response types other than code', async () => {
      await expectErrorRedirect(valid({ response_type: 'token' }), 'unsupported_response_type');
      await expectErrorRedirect(valid({ response_type: 'id_token token' }), 'unsupported_response_type');
      await expectErrorRedirect(valid({ response_type: undefined }), 'invalid_request', 'response_type is required');
    });

    it('should require PKCE with S256 for every client', async () => {
      await expectErrorRedirect(valid({ code_challenge: undefined }), 'invalid_request', 'code_challenge is required');
      await expectErrorRedirect(
        valid({ code_challenge_method: 'plain' }),
        'invalid_request',
        'code_challenge_method must be S256',
      );
      await expectErrorRedirect(
        valid({ code_challenge_method: undefined }),
        'invalid_request',
        'code_challenge_method is required',
      );
      await expectErrorRedirect(valid({ code_challenge: 'short' }), 'invalid_request', 'code_challenge is malformed');
    });

    it('should refuse scopes beyond the client and malformed scopes', async () => {
      await expectErrorRedirect(valid({ scope: 'read admin' }), 'invalid_scope');
      await expectErrorRedirect(valid({ scope: 'read "x"' }), 'invalid_scope', 'scope is malformed');
    });

    it('should refuse any resource other than this MCP server (RFC 8707)', async () => {
      await expectErrorRedirect(valid({ resource: 'https://other.example.com/mcp' }), 'invalid_target');
      await expectErrorRedirect(valid({ resource: `${t.config.issuer}/mcp/` }), 'invalid_target');
      const ok = await request(t.http).get(valid({ resource: t.config.mcp.resource }));
      expect(ok.headers.location).toMatch(/^\/login/);
    });

    it('should reject other duplicated parameters', async () => {
      await expectErrorRedirect(`${valid()}&scope=write`, 'invalid_request', 'scope must be given once');
    });

    it('should answer prompt=none without a session with login_required', async () => {
      await expectErrorRedirect(valid({ prompt: 'none' }), 'login_required');
    });
  });

  describe('login', () => {
    it('should give the same generic message for an unknown user and a wrong password', async () => {
      const agent = browser(t.http);
      const wrong = await signIn(agent, valid(), 'demo_user', 'not-the-password');
      const unknown = await signIn(agent, valid(), 'nobody', 'whatever');
      for (const res of [wrong, unknown]) {
        expect(res.status).toBe(400);
        expect(res.text).toContain('Invalid username or password.');
        expect(cookies(res).join(';')).not.toMatch(/mcp_session=s/);
      }
    });

    it('should refuse a login POST without the CSRF token', async () => {
      const res = await request(t.http)
        .post('/login')
        .type('form')
        .send({ username: 'demo_user', password: 'demo_password', return_to: valid() });
      expect(res.status).toBe(403);
      expect(res.text).toMatch(/expired/);
    });

    it('should set an HttpOnly SameSite=Lax session cookie with a new id at every login', async () => {
      const agent = browser(t.http);
      const first = await signIn(agent, valid());
      expect(first.status).toBe(303);
      expect(first.headers.location).toBe(valid());
      const cookie = cookies(first).find((c: string) => c.startsWith('mcp_session='));
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Lax/);
      const second = await signIn(agent, valid());
      const again = cookies(second).find((c: string) => c.startsWith('mcp_session='));
      expect(again!.split(';')[0]).not.toBe(cookie!.split(';')[0]);
    });

    it('should only return to this server after login (no open redirect)', async () => {
      const res = await signIn(browser(t.http), 'https://evil.example.com/');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/account/apps');
    });

    it('should serve the login page with the page security headers', async () => {
      const res = await request(t.http).get('/login').expect(200);
      expect(res.headers['content-security-policy']).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text).toContain('name="csrf_token"');
    });
  });

  describe('consent', () => {
    it('should show the client name, redirect host and each scope, escaped', async () => {
      const hostile = await insertClient(t.dataSource, {
        clientName: '<script>alert("x")</script>',
        redirectUris: ['https://app.example.com/callback'],
      });
      const agent = browser(t.http);
      const path = valid({
        client_id: hostile.clientId,
        redirect_uri: hostile.redirectUris[0],
        scope: 'read write',
        state: '"><script>alert(1)</script>',
      });
      await signIn(agent, path);
      const page = await agent.get(path).expect(200);
      expect(page.text).not.toMatch(/<script>/);
      expect(page.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect(page.text).toContain('app.example.com');
      expect(page.text).toContain('Read your data');
      expect(page.text).toContain('Create and change your data');
      expect(page.headers['x-frame-options']).toBe('DENY');
      expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(formFields(page.text).state).toBe('"><script>alert(1)</script>');
    });

    it('should refuse a consent POST without or with a wrong CSRF token', async () => {
      // A client of its own: no consent another test remembered can skip the page.
      const app = await insertClient(t.dataSource, { redirectUris: ['https://csrf.example.com/cb'] });
      const path = valid({ client_id: app.clientId, redirect_uri: app.redirectUris[0] });
      const agent = browser(t.http);
      await signIn(agent, path);
      const page = await agent.get(path).expect(200);
      const fields = formFields(page.text);
      const missing = await agent.post('/consent').type('form').send({ ...fields, csrf_token: undefined, decision: 'approve' });
      expect(missing.status).toBe(403);
      const wrong = await agent.post('/consent').type('form').send({ ...fields, csrf_token: 'x'.repeat(32), decision: 'approve' });
      expect(wrong.status).toBe(403);
      expect(wrong.headers.location).toBeUndefined();
    });

    it('should redirect access_denied with 303 when the person denies', async () => {
      const app = await insertClient(t.dataSource, { redirectUris: ['https://deny.example.com/cb'] });
      const { redirect } = await authorizeAsUser(
        t.http,
        { client_id: app.clientId, redirect_uri: app.redirectUris[0], state: 'deny-me' },
        { decision: 'deny' },
      );
      expect(redirect.origin + redirect.pathname).toBe(app.redirectUris[0]);
      expect(redirect.searchParams.get('error')).toBe('access_denied');
      expect(redirect.searchParams.get('state')).toBe('deny-me');
      expect(redirect.searchParams.get('iss')).toBe(t.config.issuer);
    });

    it('should remember consent and skip the page next time, echoing a long state verbatim', async () => {
      const first = await authorizeAsUser(t.http, { scope: 'read' });
      expect(first.code).toBeTruthy();
      const state = `${'a'.repeat(1200)} ~!*()'&=+/?`;
      const res = await first.agent.get(valid({ scope: 'read', state }));
      expect(res.status).toBe(302);
      const url = new URL(res.headers.location);
      expect(url.searchParams.get('code')).toMatch(/^mcpac_/);
      expect(url.searchParams.get('state')).toBe(state);
      expect(url.searchParams.get('iss')).toBe(t.config.issuer);
    });

    it('should allow an absent state when PKCE is used', async () => {
      const { redirect } = await authorizeAsUser(t.http, { state: undefined });
      expect(redirect.searchParams.get('code')).toMatch(/^mcpac_/);
      expect(redirect.searchParams.has('state')).toBe(false);
    });

    it('should refuse scopes the person does not hold', async () => {
      const adminApp = await insertClient(t.dataSource, {
        scope: ['read', 'admin'],
        redirectUris: ['https://admin.example.com/cb'],
      });
      const agent = browser(t.http);
      const path = valid({ client_id: adminApp.clientId, redirect_uri: adminApp.redirectUris[0], scope: 'admin' });
      await signIn(agent, path);
      const res = await agent.get(path).expect(302);
      const url = new URL(res.headers.location);
      expect(url.searchParams.get('error')).toBe('invalid_scope');
      expect(url.searchParams.get('iss')).toBe(t.config.issuer);
    });
  });
});
