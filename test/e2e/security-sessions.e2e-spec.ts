import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createHash } from 'node:crypto';
import { AuditService } from 'src/audit/audit.service';
import { PurgeExpiredJob } from 'src/maintenance/purge-expired.job';
import { DEMO_CLIENT, DEMO_USER } from 'src/seed/demo-data';
import { basic, insertClient } from '../factories/client.factory';
import { pkcePair } from '../support/pkce';
import {
  authorizeAsUser,
  authorizePath,
  browser,
  demoBasic,
  exchangeCode,
  signIn,
  unescapeHtml,
} from '../support/browser';
import { createTestApp, TestApp } from './create-test-app';

/**
 * Issue 12, items 2, 3, 4, 8 and 10 (docs/security.md §12), black-box over HTTP:
 * no client_credentials through registration, revocable browser sessions, refreshes narrowed to
 * what the user and client may hold now, one client delete path, a short audited refresh grace.
 */

const ADMIN_ID = 'sec-admin';
const ADMIN_SECRET = 'sec-admin-secret-0123456789';

/** The Set-Cookie values of a response as one Cookie header (a saved browser cookie jar). */
const cookieHeader = (res: request.Response): string =>
  ([] as string[])
    .concat(res.headers['set-cookie'] ?? [])
    .map((c) => c.split(';')[0])
    .join('; ');

const csrfOfForm = (html: string, action: string): string => {
  const re = new RegExp(
    `<form method="post" action="${action.replace(/\//g, '\\/')}">\\s*<input type="hidden" name="csrf_token" value="([^"]*)">`,
  );
  const m = re.exec(html);
  if (!m) throw new Error(`no form to ${action} on the page`);
  return unescapeHtml(m[1]);
};

describe('Sessions, narrowing and registration limits (e2e)', () => {
  let t: TestApp;
  let adminToken: string;
  let bob: { id: string; username: string; password: string };

  const form = (path: string, body: Record<string, string>, auth?: string) => {
    const req = request(t.http).post(path).type('form');
    if (auth) req.set('Authorization', auth);
    return req.send(body);
  };
  const admin = {
    post: (path: string, body: object = {}) =>
      request(t.http).post(path).set('Authorization', `Bearer ${adminToken}`).send(body),
    patch: (path: string, body: object) =>
      request(t.http).patch(path).set('Authorization', `Bearer ${adminToken}`).send(body),
    delete: (path: string) =>
      request(t.http).delete(path).set('Authorization', `Bearer ${adminToken}`),
  };
  const auditRows = async (type: string) => {
    await t.app.get(AuditService).flush();
    return t.dataSource.query(
      `SELECT user_id, client_id, details FROM audit_events WHERE type = $1 ORDER BY at, id`,
      [type],
    ) as Promise<
      Array<{ user_id: string | null; client_id: string | null; details: Record<string, unknown> }>
    >;
  };
  /** The saved session cookie of a fresh sign-in as `username`. */
  const signedInCookie = async (username: string, password: string) => {
    const agent = browser(t.http);
    const login = await signIn(agent, '/account/apps', username, password);
    expect(login.status).toBe(303);
    return { agent, cookie: cookieHeader(login) };
  };
  /** true when the cookie still opens the account page. */
  const cookieSignsIn = async (cookie: string): Promise<boolean> => {
    const res = await request(t.http).get('/account/apps').set('Cookie', cookie);
    if (res.status === 200) return true;
    expect(res.status).toBe(302);
    expect(res.headers.location).toMatch(/^\/login/);
    return false;
  };

  beforeAll(async () => {
    t = await createTestApp({
      env: { ADMIN_CLIENT_ID: ADMIN_ID, ADMIN_CLIENT_SECRET: ADMIN_SECRET },
    });
    adminToken = (
      await form(
        '/oauth/token',
        { grant_type: 'client_credentials', scope: 'admin' },
        basic(ADMIN_ID, ADMIN_SECRET),
      ).expect(200)
    ).body.access_token;
    const created = await admin
      .post('/admin/users', {
        username: 'bob',
        password: 'bob-password-123',
        scopes: ['read', 'write'],
      })
      .expect(201);
    bob = { id: created.body.id, username: 'bob', password: 'bob-password-123' };
  });
  afterAll(() => t.close());

  describe('item 2: registration never yields client_credentials', () => {
    const register = (body: object) =>
      request(t.http)
        .post('/oauth/register')
        .send({ redirect_uris: ['http://127.0.0.1:9999/cb'], ...body });

    it('should refuse a dynamic registration asking for client_credentials', async () => {
      for (const grant_types of [
        ['authorization_code', 'refresh_token', 'client_credentials'],
        ['client_credentials'],
      ]) {
        const res = await register({
          grant_types,
          token_endpoint_auth_method: 'client_secret_basic',
        });
        expect(res.status).toBe(400);
        expect(res.body.error).toBe('invalid_client_metadata');
        expect(res.body.error_description).toMatch(/client_credentials/);
      }
    });

    it('should refuse an RFC 7592 update adding client_credentials', async () => {
      const reg = (
        await register({ token_endpoint_auth_method: 'client_secret_basic' }).expect(201)
      ).body;
      const res = await request(t.http)
        .put(`/oauth/register/${reg.client_id}`)
        .set('Authorization', `Bearer ${reg.registration_access_token}`)
        .send({
          client_id: reg.client_id,
          redirect_uris: reg.redirect_uris,
          grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_client_metadata');
    });

    it('should give no token to a self-registered client that holds client_credentials from before', async () => {
      for (const source of ['dcr', 'cimd'] as const) {
        const legacy = await insertClient(t.dataSource, {
          source,
          grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
          scope: ['read', 'write'],
        });
        const res = await form(
          '/oauth/token',
          { grant_type: 'client_credentials' },
          basic(legacy.clientId, legacy.clientSecret!),
        );
        expect(res.status).toBe(400);
        expect(res.body.error).toBe('unauthorized_client');
        // And so it cannot write through the tools.
        expect(res.body.access_token).toBeUndefined();
      }
    });

    it('should still serve an administrator-created machine client, with the scopes the administrator gave it', async () => {
      const machine = (
        await admin
          .post('/admin/clients', {
            client_name: 'Machine',
            grant_types: ['client_credentials'],
            redirect_uris: [],
            scope: ['read'],
          })
          .expect(201)
      ).body;
      const res = await form(
        '/oauth/token',
        { grant_type: 'client_credentials' },
        basic(machine.client_id, machine.client_secret),
      ).expect(200);
      expect(res.body.scope).toBe('read');
      const wider = await form(
        '/oauth/token',
        { grant_type: 'client_credentials', scope: 'read write' },
        basic(machine.client_id, machine.client_secret),
      );
      expect(wider.status).toBe(400);
      expect(wider.body.error).toBe('invalid_scope');
    });
  });

  describe('item 3: browser sessions end server-side', () => {
    it('should refuse a saved cookie after POST /logout, and issue no code silently with it', async () => {
      const { agent, cookie } = await signedInCookie(DEMO_USER.username, DEMO_USER.password);
      // Consent remembered: with a live session, /authorize answers with a code at once.
      await authorizeAsUser(t.http, {}, { agent });
      const { challenge } = pkcePair();
      const path = authorizePath({
        response_type: 'code',
        client_id: DEMO_CLIENT.clientId,
        redirect_uri: DEMO_CLIENT.redirectUris[0],
        scope: 'read write',
        state: 's',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const before = await request(t.http).get(path).set('Cookie', cookie).expect(302);
      expect(before.headers.location).toMatch(/[?&]code=/);

      const page = await agent.get('/account/apps').expect(200);
      await agent
        .post('/logout')
        .type('form')
        .send({ csrf_token: csrfOfForm(page.text, '/logout') })
        .expect(303);

      expect(await cookieSignsIn(cookie)).toBe(false);
      const after = await request(t.http).get(path).set('Cookie', cookie).expect(302);
      expect(after.headers.location).toMatch(/^\/login\?return_to=/);
    });

    it('should end the browser’s previous session when it signs in again', async () => {
      const { agent, cookie } = await signedInCookie(bob.username, bob.password);
      const again = await signIn(agent, '/account/apps', bob.username, bob.password);
      expect(again.status).toBe(303);
      expect(await cookieSignsIn(cookie)).toBe(false);
      expect(await cookieSignsIn(cookieHeader(again))).toBe(true);
    });

    it('should end every session of a user whose password an administrator reset', async () => {
      const one = await signedInCookie(bob.username, bob.password);
      const two = await signedInCookie(bob.username, bob.password);
      const other = await signedInCookie(DEMO_USER.username, DEMO_USER.password);
      await admin
        .post(`/admin/users/${bob.id}/password`, { password: 'bob-password-456' })
        .expect(204);
      bob.password = 'bob-password-456';
      expect(await cookieSignsIn(one.cookie)).toBe(false);
      expect(await cookieSignsIn(two.cookie)).toBe(false);
      expect(await cookieSignsIn(other.cookie)).toBe(true);
      expect(await cookieSignsIn((await signedInCookie(bob.username, bob.password)).cookie)).toBe(
        true,
      );
    });

    it('should end the sessions of a disabled user for good (enabling again does not revive them)', async () => {
      const s = await signedInCookie(bob.username, bob.password);
      await admin.patch(`/admin/users/${bob.id}`, { disabled: true }).expect(200);
      await admin.patch(`/admin/users/${bob.id}`, { disabled: false }).expect(200);
      expect(await cookieSignsIn(s.cookie)).toBe(false);
    });

    it('should keep only a hash of the session id, refuse an expired session and purge it', async () => {
      const { cookie } = await signedInCookie(bob.username, bob.password);
      const value = JSON.parse(
        decodeURIComponent(cookie.split('mcp_session=')[1].split(';')[0])
          .replace(/^s:/, '')
          .replace(/\.[^.]+$/, ''),
      ) as { sid: string };
      const idHash = createHash('sha256').update(value.sid).digest('hex');
      const rows = await t.dataSource.query(
        `SELECT id_hash FROM browser_sessions WHERE user_id = $1`,
        [bob.id],
      );
      expect(rows.map((r: { id_hash: string }) => r.id_hash)).toContain(idHash);
      expect(JSON.stringify(rows)).not.toContain(value.sid);
      await t.dataSource.query(
        `UPDATE browser_sessions SET expires_at = now() - interval '1 minute' WHERE id_hash = $1`,
        [idHash],
      );
      expect(await cookieSignsIn(cookie)).toBe(false);
      const report = await t.app.get(PurgeExpiredJob).run();
      expect(report.browser_sessions).toBeGreaterThanOrEqual(1);
      expect(
        await t.dataSource.query(`SELECT 1 FROM browser_sessions WHERE id_hash = $1`, [idHash]),
      ).toEqual([]);
    });

    it('should sign out everywhere from the account page, CSRF-checked', async () => {
      const here = await signedInCookie(bob.username, bob.password);
      const there = await signedInCookie(bob.username, bob.password);
      const page = await here.agent.get('/account/apps').expect(200);
      expect(page.text).toContain('Sign out everywhere');
      const csrf = csrfOfForm(page.text, '/account/sessions/revoke');
      const forged = await here.agent
        .post('/account/sessions/revoke')
        .type('form')
        .send({ csrf_token: 'nope' });
      expect(forged.status).toBe(403);
      expect(await cookieSignsIn(there.cookie)).toBe(true);
      const res = await here.agent
        .post('/account/sessions/revoke')
        .type('form')
        .send({ csrf_token: csrf });
      expect(res.status).toBe(303);
      expect(res.headers.location).toMatch(/^\/login/);
      expect(await cookieSignsIn(here.cookie)).toBe(false);
      expect(await cookieSignsIn(there.cookie)).toBe(false);
    });
  });

  describe('item 4: a refresh holds only what the user and the client may hold now', () => {
    const connect = async (
      clientOverrides: Parameters<typeof authorizeAsUser>[1] = {},
      exchange?: (code: string, verifier: string) => Promise<request.Response>,
    ) => {
      const { agent } = await signedInCookie(bob.username, bob.password);
      const { code, verifier } = await authorizeAsUser(t.http, clientOverrides, { agent });
      const res = exchange
        ? await exchange(code, verifier)
        : await exchangeCode(t.http, code, verifier);
      expect(res.status).toBe(200);
      return res.body as { access_token: string; refresh_token: string; scope: string };
    };

    it('should narrow the refresh when a scope is taken from the user', async () => {
      await admin.patch(`/admin/users/${bob.id}`, { scopes: ['read', 'write'] }).expect(200);
      const tokens = await connect();
      expect(tokens.scope).toBe('read write');
      await admin.patch(`/admin/users/${bob.id}`, { scopes: ['read'] }).expect(200);
      const refreshed = await form(
        '/oauth/token',
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        demoBasic(),
      ).expect(200);
      expect(refreshed.body.scope).toBe('read');
      // The narrowing sticks: the family does not widen again by itself.
      await admin.patch(`/admin/users/${bob.id}`, { scopes: ['read', 'write'] }).expect(200);
      const again = await form(
        '/oauth/token',
        { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token },
        demoBasic(),
      ).expect(200);
      expect(again.body.scope).toBe('read');
      // Asking for the removed scope explicitly is refused.
      const asked = await form(
        '/oauth/token',
        { grant_type: 'refresh_token', refresh_token: again.body.refresh_token, scope: 'write' },
        demoBasic(),
      );
      expect(asked.status).toBe(400);
      expect(asked.body.error).toBe('invalid_scope');
    });

    it('should narrow the refresh when a scope is taken from the client', async () => {
      await admin.patch(`/admin/users/${bob.id}`, { scopes: ['read', 'write'] }).expect(200);
      const app = (
        await admin
          .post('/admin/clients', {
            client_name: 'Narrowed App',
            redirect_uris: ['https://narrow.example/cb'],
            scope: ['read', 'write'],
          })
          .expect(201)
      ).body;
      const auth = basic(app.client_id, app.client_secret);
      const tokens = await connect(
        { client_id: app.client_id, redirect_uri: 'https://narrow.example/cb' },
        (code, verifier) =>
          form(
            '/oauth/token',
            {
              grant_type: 'authorization_code',
              code,
              code_verifier: verifier,
              redirect_uri: 'https://narrow.example/cb',
            },
            auth,
          ),
      );
      expect(tokens.scope).toBe('read write');
      await admin.patch(`/admin/clients/${app.client_id}`, { scope: ['write'] }).expect(200);
      const refreshed = await form(
        '/oauth/token',
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        auth,
      ).expect(200);
      expect(refreshed.body.scope).toBe('write');
    });

    it('should refuse the refresh when nothing the grant held may be held now', async () => {
      await admin.patch(`/admin/users/${bob.id}`, { scopes: ['read', 'write'] }).expect(200);
      const tokens = await connect({ scope: 'write' });
      await admin.patch(`/admin/users/${bob.id}`, { scopes: ['read'] }).expect(200);
      const res = await form(
        '/oauth/token',
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        demoBasic(),
      );
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_grant');
      await admin.patch(`/admin/users/${bob.id}`, { scopes: ['read', 'write'] }).expect(200);
    });
  });

  describe('item 8: RFC 7592 DELETE revokes like an administrator delete', () => {
    it('should refuse the deleted client’s access token at once, not after a cache expires', async () => {
      const reg = (
        await request(t.http)
          .post('/oauth/register')
          .send({ redirect_uris: ['http://127.0.0.1:9999/cb'], token_endpoint_auth_method: 'none' })
          .expect(201)
      ).body;
      const { agent } = await signedInCookie(bob.username, bob.password);
      const { code, verifier } = await authorizeAsUser(
        t.http,
        { client_id: reg.client_id, redirect_uri: 'http://127.0.0.1:9999/cb', scope: 'read' },
        { agent },
      );
      const tokens = (
        await form('/oauth/token', {
          grant_type: 'authorization_code',
          client_id: reg.client_id,
          code,
          code_verifier: verifier,
          redirect_uri: 'http://127.0.0.1:9999/cb',
        }).expect(200)
      ).body;
      const tools = () =>
        request(t.http).get('/tools').set('Authorization', `Bearer ${tokens.access_token}`);
      // Checked once: its "not revoked" answer is now cached.
      await tools().expect(200);
      await request(t.http)
        .delete(`/oauth/register/${reg.client_id}`)
        .set('Authorization', `Bearer ${reg.registration_access_token}`)
        .expect(204);
      expect((await tools()).status).toBe(401);
      const deleted = (await auditRows('client.deleted')).filter(
        (e) => e.client_id === reg.client_id,
      );
      expect(deleted).toHaveLength(1);
    });
  });

  describe('item 10: the refresh grace window', () => {
    it('should default to a few seconds', () => {
      expect(t.config.ttl.refreshGrace).toBeGreaterThan(0);
      expect(t.config.ttl.refreshGrace).toBeLessThanOrEqual(10);
    });

    it('should record each use of the grace window in the audit trail', async () => {
      const { code, verifier } = await authorizeAsUser(t.http);
      const tokens = (await exchangeCode(t.http, code, verifier).expect(200)).body;
      const refresh = () =>
        form(
          '/oauth/token',
          { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
          demoBasic(),
        );
      const first = (await refresh().expect(200)).body;
      const retry = (await refresh().expect(200)).body;
      expect(retry.refresh_token).toBe(first.refresh_token);
      const uses = await auditRows('refresh.grace_used');
      expect(uses.length).toBeGreaterThanOrEqual(1);
      const last = uses[uses.length - 1];
      expect(last.client_id).toBe(DEMO_CLIENT.clientId);
      expect(last.details).toMatchObject({ grace_seconds: t.config.ttl.refreshGrace });
      expect(typeof last.details.grant_id).toBe('string');
      expect(JSON.stringify(uses)).not.toContain(tokens.refresh_token);
      expect(JSON.stringify(uses)).not.toContain(first.refresh_token);
    });
  });
});
