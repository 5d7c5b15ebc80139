import { createHmac } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DEMO_USER } from 'src/seed/demo-data';
import { insertClient, ClientFixture } from '../factories/client.factory';
import { authorizePath, browser, formFields, signIn } from '../support/browser';
import { pkcePair } from '../support/pkce';
import { createTestApp, TEST_APP_SECRET, TestApp } from './create-test-app';

/**
 * The whole CSRF matrix of the two browser forms: the login form (double-submit cookie, signed with
 * APP_SECRET) and the consent form (the secret inside the signed session). Every forged submission
 * is a 403 page that starts no session, issues no code and records no consent.
 */
const setCookies = (res: request.Response): string[] =>
  (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];

/** cookie-parser's signed format (`s:<value>.<HMAC-SHA256, base64 without padding>`). */
const signCookie = (value: string, secret: string): string =>
  `s:${value}.${createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '')}`;

describe('CSRF on the login and consent forms (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  describe('login', () => {
    /** A browser that loaded the login page: its CSRF token and its cookie header value. */
    async function loginPage(): Promise<{ agent: TestAgent; token: string; cookie: string }> {
      const agent = browser(t.http);
      const page = await agent.get('/login').expect(200);
      const token = formFields(page.text).csrf_token;
      const cookie = setCookies(page).find((c) => c.startsWith('mcp_login_csrf='))!.split(';')[0];
      expect(token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      return { agent, token, cookie };
    }

    const credentials = { username: DEMO_USER.username, password: DEMO_USER.password, return_to: '/account/apps' };
    const post = (cookie: string | null, csrf: string | undefined) => {
      const req = request(t.http).post('/login').type('form');
      if (cookie !== null) req.set('Cookie', cookie);
      return req.send(csrf === undefined ? credentials : { ...credentials, csrf_token: csrf });
    };

    /** 403 page, no session started, no failed attempt counted (the password is never checked). */
    async function expectRefused(res: request.Response): Promise<void> {
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('the sign-in form expired; go back and try again');
      expect(res.headers.location).toBeUndefined();
      expect(setCookies(res).some((c) => c.startsWith('mcp_session='))).toBe(false);
    }

    it('should accept the matching token and cookie (the control for every refusal below)', async () => {
      const { cookie, token } = await loginPage();
      const res = await post(cookie, token);
      expect(res.status).toBe(303);
      expect(setCookies(res).some((c) => /^mcp_session=s%3A/.test(c))).toBe(true);
    });

    it.each([
      ['no token', (p: { cookie: string; token: string }) => [p.cookie, undefined] as const],
      ['an empty token', (p: { cookie: string; token: string }) => [p.cookie, ''] as const],
      ['a wrong token of the right shape', (p: { cookie: string; token: string }) => [p.cookie, 'A'.repeat(p.token.length)] as const],
      ['the token with one character more', (p: { cookie: string; token: string }) => [p.cookie, `${p.token}x`] as const],
      ['the token without its cookie', (p: { cookie: string; token: string }) => [null, p.token] as const],
      ['the token with an unsigned cookie holding it', (p: { cookie: string; token: string }) => [`mcp_login_csrf=${p.token}`, p.token] as const],
      [
        'the token with a cookie signed by another secret',
        (p: { cookie: string; token: string }) =>
          [`mcp_login_csrf=${encodeURIComponent(signCookie(p.token, `${TEST_APP_SECRET}-other`))}`, p.token] as const,
      ],
    ])('should refuse %s', async (_name, forge) => {
      const page = await loginPage();
      const [cookie, csrf] = forge(page);
      await expectRefused(await post(cookie, csrf));
    });

    it('should refuse a token with the cookie of another browser', async () => {
      const mine = await loginPage();
      const theirs = await loginPage();
      expect(theirs.token).not.toBe(mine.token);
      await expectRefused(await post(theirs.cookie, mine.token));
      // And the browser's own pair still works: nothing was spent by the refusals.
      expect((await post(mine.cookie, mine.token)).status).toBe(303);
    });

    it('should prove the signature is what counts: a cookie signed with APP_SECRET is accepted', async () => {
      // Without this control, the "another secret" case could pass for the wrong reason.
      const token = 'forged-but-correctly-signed-0123456789';
      const cookie = `mcp_login_csrf=${encodeURIComponent(signCookie(token, TEST_APP_SECRET))}`;
      expect((await post(cookie, token)).status).toBe(303);
    });

    it('should not count a refused submission as a failed login', async () => {
      const before = await t.dataSource.query('SELECT failed_login_count FROM users WHERE username = $1', [DEMO_USER.username]);
      const { cookie } = await loginPage();
      const res = await request(t.http)
        .post('/login')
        .type('form')
        .set('Cookie', cookie)
        .send({ username: DEMO_USER.username, password: 'wrong-password', csrf_token: 'wrong-token-of-length-32-xxxxxxx' });
      await expectRefused(res);
      const after = await t.dataSource.query('SELECT failed_login_count FROM users WHERE username = $1', [DEMO_USER.username]);
      expect(after).toEqual(before);
    });
  });

  describe('consent', () => {
    let client: ClientFixture;
    const { challenge } = pkcePair();
    const path = () =>
      authorizePath({
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: client.redirectUris[0],
        scope: 'read',
        state: 'csrf-state',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });

    beforeEach(async () => {
      // A client of its own per test: any code, grant or consent for it can only come from this test.
      client = await insertClient(t.dataSource, { redirectUris: ['https://csrf.example/callback'] });
    });

    /** A signed-in browser looking at the consent page for the client. */
    async function consentPage(): Promise<{ agent: TestAgent; fields: Record<string, string> }> {
      const agent = browser(t.http);
      expect((await signIn(agent, path())).status).toBe(303);
      const page = await agent.get(path()).expect(200);
      const fields = formFields(page.text);
      expect(fields.csrf_token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      return { agent, fields };
    }

    async function nothingIssued(): Promise<void> {
      const [row] = await t.dataSource.query(
        `SELECT (SELECT count(*)::int FROM consents WHERE client_id = $1) AS consents,
                (SELECT count(*)::int FROM authorization_codes WHERE client_id = $1) AS codes,
                (SELECT count(*)::int FROM grants WHERE client_id = $1) AS grants`,
        [client.clientId],
      );
      expect(row).toEqual({ consents: 0, codes: 0, grants: 0 });
    }

    async function expectRefused(res: request.Response, text: string): Promise<void> {
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain(text);
      expect(res.headers.location).toBeUndefined();
      await nothingIssued();
    }
    const TAMPERED = 'the form expired or was tampered with; start again from the application';

    it('should issue a code and record consent for the real form (the control)', async () => {
      const { agent, fields } = await consentPage();
      const res = await agent.post('/consent').type('form').send({ ...fields, decision: 'approve' });
      expect(res.status).toBe(303);
      expect(new URL(res.headers.location).searchParams.get('code')).toMatch(/^mcpac_/);
      const [row] = await t.dataSource.query('SELECT count(*)::int AS n FROM consents WHERE client_id = $1', [client.clientId]);
      expect(row.n).toBe(1);
    });

    it.each([
      ['no token', () => undefined],
      ['an empty token', () => ''],
      ['a wrong token of the right shape', (real: string) => 'A'.repeat(real.length)],
      ['the token with one character more', (real: string) => `${real}x`],
    ])('should refuse %s', async (_name, forge) => {
      const { agent, fields } = await consentPage();
      const csrf = forge(fields.csrf_token);
      const body: Record<string, string> = { ...fields, decision: 'approve' };
      if (csrf === undefined) delete body.csrf_token;
      else body.csrf_token = csrf;
      await expectRefused(await agent.post('/consent').type('form').send(body), TAMPERED);
    });

    it('should refuse the token of another signed-in browser', async () => {
      const mine = await consentPage();
      const theirs = await consentPage();
      expect(theirs.fields.csrf_token).not.toBe(mine.fields.csrf_token);
      const res = await mine.agent
        .post('/consent')
        .type('form')
        .send({ ...mine.fields, csrf_token: theirs.fields.csrf_token, decision: 'approve' });
      await expectRefused(res, TAMPERED);
    });

    it('should refuse the real token without the session cookie, or with a forged one', async () => {
      const { fields } = await consentPage();
      const bare = await request(t.http).post('/consent').type('form').send({ ...fields, decision: 'approve' });
      await expectRefused(bare, 'your session has expired; start again from the application');
      const forgedSession = JSON.stringify({ sid: 'x', userId: 'x', csrf: fields.csrf_token });
      for (const cookie of [
        `mcp_session=${encodeURIComponent(forgedSession)}`,
        `mcp_session=${encodeURIComponent(signCookie(forgedSession, `${TEST_APP_SECRET}-other`))}`,
      ]) {
        const res = await request(t.http)
          .post('/consent')
          .type('form')
          .set('Cookie', cookie)
          .send({ ...fields, decision: 'approve' });
        await expectRefused(res, 'your session has expired; start again from the application');
      }
    });

    it('should refuse a denial with a forged token too (no access_denied redirect)', async () => {
      const { agent, fields } = await consentPage();
      const res = await agent.post('/consent').type('form').send({ ...fields, csrf_token: 'x'.repeat(32), decision: 'deny' });
      await expectRefused(res, TAMPERED);
    });
  });
});
