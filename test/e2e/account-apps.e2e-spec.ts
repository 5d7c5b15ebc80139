import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { AuditService } from 'src/audit/audit.service';
import { DEMO_CLIENT, DEMO_USER } from 'src/seed/demo-data';
import { UsersService } from 'src/users/users.service';
import {
  authorizeAsUser,
  browser,
  demoBasic,
  exchangeCode,
  signIn,
  unescapeHtml,
} from '../support/browser';
import { createTestApp, TestApp } from './create-test-app';

/** The hidden fields of the Revoke form for `clientId` on the connected-apps page. */
function revokeForm(html: string, clientId: string): Record<string, string> | null {
  for (const form of html.matchAll(
    /<form method="post" action="\/account\/apps\/revoke">([\s\S]*?)<\/form>/g,
  )) {
    const fields: Record<string, string> = {};
    for (const m of form[1].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
      fields[m[1]] = unescapeHtml(m[2]);
    if (fields.client_id === clientId) return fields;
  }
  return null;
}

const csrfOf = (html: string): string => {
  const m =
    /<form method="post" action="\/logout">\s*<input type="hidden" name="csrf_token" value="([^"]*)">/.exec(
      html,
    );
  if (!m) throw new Error('no sign-out form on the page');
  return unescapeHtml(m[1]);
};

describe('Connected apps page (e2e)', () => {
  let t: TestApp;
  const form = (path: string, body: Record<string, string>, auth = demoBasic()) =>
    request(t.http).post(path).set('Authorization', auth).type('form').send(body);
  const introspect = async (token: string) =>
    (await form('/oauth/introspect', { token }).expect(200)).body;
  /** Signs in as `username` and connects the demo client; returns the browser and the tokens. */
  const connect = async (username = DEMO_USER.username, password = DEMO_USER.password) => {
    const agent = browser(t.http);
    expect((await signIn(agent, '/account/apps', username, password)).status).toBe(303);
    const { code, verifier } = await authorizeAsUser(t.http, {}, { agent });
    const tokens = (await exchangeCode(t.http, code, verifier).expect(200)).body;
    return { agent, tokens };
  };
  const appsPage = async (agent: TestAgent) => (await agent.get('/account/apps').expect(200)).text;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app
      .get(UsersService)
      .createIfAbsent({ username: 'bob', password: 'bob-password', scopes: ['read', 'write'] });
    // Connects no app in any test: the empty page is hers whatever ran before.
    await t.app
      .get(UsersService)
      .createIfAbsent({ username: 'carol', password: 'carol-password', scopes: ['read'] });
  });
  afterAll(() => t.close());

  it('should send a visitor who is not signed in to the login page, and back after signing in', async () => {
    const res = await request(t.http).get('/account/apps').expect(302);
    expect(res.headers.location).toBe('/login?return_to=%2Faccount%2Fapps');
    const agent = browser(t.http);
    const login = await signIn(agent, '/account/apps', 'carol', 'carol-password');
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/account/apps');
    const page = await agent.get('/account/apps').expect(200);
    expect(page.text).toContain('Signed in as carol');
    expect(page.text).toContain('No applications have access to your account.');
  });

  it('should list the app with its scopes, dates and a Revoke button, with the page security headers', async () => {
    const { agent } = await connect();
    const res = await agent.get('/account/apps').expect(200);
    expect(res.text).toContain(DEMO_CLIENT.clientName);
    expect(res.text).toContain('Read your data through the MCP tools');
    expect(res.text).toContain('Create and change your data through the MCP tools');
    expect(res.text).toMatch(
      /Allowed <time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/time>/,
    );
    expect(res.text).toMatch(/Last used <time/);
    expect(revokeForm(res.text, DEMO_CLIENT.clientId)).toEqual({
      csrf_token: expect.any(String),
      client_id: DEMO_CLIENT.clientId,
    });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('should refuse a revoke with a wrong or missing CSRF token with a 403 page, changing nothing', async () => {
    const { agent, tokens } = await connect();
    const fields = revokeForm(await appsPage(agent), DEMO_CLIENT.clientId)!;
    for (const csrf of [undefined, 'wrong', `${fields.csrf_token}x`]) {
      const body: Record<string, string> = { client_id: DEMO_CLIENT.clientId };
      if (csrf !== undefined) body.csrf_token = csrf;
      const res = await agent.post('/account/apps/revoke').type('form').send(body).expect(403);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('Access denied');
    }
    // A form from another session's page does not work either (each session has its own secret).
    const other = browser(t.http);
    await signIn(other, '/account/apps');
    await other.post('/account/apps/revoke').type('form').send(fields).expect(403);
    expect((await introspect(tokens.access_token)).active).toBe(true);
    expect(revokeForm(await appsPage(agent), DEMO_CLIENT.clientId)).not.toBeNull();
  });

  it('should revoke the app: consent gone, refresh token refused, tokens inactive, and it must ask again', async () => {
    const { agent, tokens } = await connect();
    const fields = revokeForm(await appsPage(agent), DEMO_CLIENT.clientId)!;
    const liveGrants = async (): Promise<number> =>
      (
        await t.dataSource.query(
          `SELECT count(*)::int AS n FROM grants WHERE client_id = $1 AND revoked_at IS NULL
              AND user_id = (SELECT id FROM users WHERE username = $2)`,
          [DEMO_CLIENT.clientId, DEMO_USER.username],
        )
      )[0].n;
    const liveBefore = await liveGrants();
    expect(liveBefore).toBeGreaterThanOrEqual(1); // at least the one connect() just made
    const res = await agent.post('/account/apps/revoke').type('form').send(fields).expect(303);
    expect(res.headers.location).toBe('/account/apps');

    const page = await appsPage(agent);
    expect(revokeForm(page, DEMO_CLIENT.clientId)).toBeNull();
    expect(page).toContain('No applications have access to your account.');

    const refresh = await form('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
    });
    expect(refresh.status).toBe(400);
    expect(refresh.body.error).toBe('invalid_grant');
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
    expect(await introspect(tokens.refresh_token)).toEqual({ active: false });
    const grants = await t.dataSource.query(
      `SELECT revoked_reason FROM grants WHERE client_id = $1 AND user_id = (SELECT id FROM users WHERE username = $2)`,
      [DEMO_CLIENT.clientId, DEMO_USER.username],
    );
    expect(await liveGrants()).toBe(0);
    expect(grants.filter((g: { revoked_reason: string | null }) => g.revoked_reason === 'consent_revoked').length).toBeGreaterThanOrEqual(liveBefore);

    // The consent is gone: the next authorization asks the person again.
    const again = await agent.get(
      `/oauth/authorize?response_type=code&client_id=${DEMO_CLIENT.clientId}&redirect_uri=${encodeURIComponent(DEMO_CLIENT.redirectUris[0])}` +
        '&scope=read&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256',
    );
    expect(again.status).toBe(200);
    expect(again.text).toContain('to access your account?');

    await t.app.get(AuditService).flush();
    const [event] = await t.dataSource.query(
      `SELECT outcome, client_id, details FROM audit_events WHERE type = 'consent.revoked' AND outcome = 'success' ORDER BY at DESC LIMIT 1`,
    );
    expect(event).toMatchObject({
      outcome: 'success',
      client_id: DEMO_CLIENT.clientId,
      details: { consent_revoked: true },
    });
    // Exactly the grants that were live for the pair: the count the audit reports is the real one.
    expect(event.details.grants_revoked).toBe(liveBefore);
  });

  it("should revoke only the signed-in person's grants", async () => {
    const alice = await connect();
    const bob = await connect('bob', 'bob-password');
    const fields = revokeForm(await appsPage(alice.agent), DEMO_CLIENT.clientId)!;
    await alice.agent.post('/account/apps/revoke').type('form').send(fields).expect(303);
    expect((await introspect(alice.tokens.access_token)).active).toBe(false);
    expect((await introspect(bob.tokens.access_token)).active).toBe(true);
    expect(revokeForm(await appsPage(bob.agent), DEMO_CLIENT.clientId)).not.toBeNull();
  });

  it('should sign out with the CSRF token only', async () => {
    const agent = browser(t.http);
    await signIn(agent, '/account/apps');
    const csrf = csrfOf(await appsPage(agent));
    await agent.post('/logout').type('form').send({ csrf_token: 'wrong' }).expect(403);
    await agent.get('/account/apps').expect(200);
    const res = await agent.post('/logout').type('form').send({ csrf_token: csrf }).expect(303);
    expect(res.headers.location).toBe('/login');
    const after = await agent.get('/account/apps').expect(302);
    expect(after.headers.location).toBe('/login?return_to=%2Faccount%2Fapps');
  });
});
