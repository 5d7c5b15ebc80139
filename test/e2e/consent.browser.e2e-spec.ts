import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ClientManagementService } from 'src/clients/client-management.service';
import { DEMO_USER } from 'src/seed/demo-data';
import { authorizePath } from '../support/browser';
import { describeWithChromium, launchChromium } from '../support/chromium';
import { pkcePair } from '../support/pkce';
import { createTestApp, TestApp } from './create-test-app';

const ARTIFACTS = join(__dirname, '..', '..', 'artifacts');

/** The login and consent pages as a person sees them: real Chromium, no JavaScript needed. */
describeWithChromium('Login and consent in a real browser (headless Chromium, e2e)', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    browser = await launchChromium();
    t = await createTestApp({ listen: true });
    base = t.origin!;
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('should log in, show the consent page, and deliver the code to the redirect URI', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    // A client an administrator registered, returning to a port this test listens on (the demo
    // client is a confidential web client: its localhost port is matched exactly).
    let callback: URL | undefined;
    const receiver = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/callback') callback = url; // not the browser's /favicon.ico
      res.end('callback reached');
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const callbackPort = (receiver.address() as { port: number }).port;
    const redirectUri = `http://localhost:${callbackPort}/callback`;
    const { client } = await t.app.get(ClientManagementService).create({
      clientName: 'Demo Client',
      redirectUris: [redirectUri],
      grantTypes: ['authorization_code', 'refresh_token'],
      scope: ['read', 'write'],
      tokenEndpointAuthMethod: 'client_secret_basic',
    });
    const { challenge } = pkcePair();
    await page.goto(
      base +
        authorizePath({
          response_type: 'code',
          client_id: client.clientId,
          redirect_uri: redirectUri,
          scope: 'read write',
          state: 'browser-state',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
    );
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.screenshot({ path: join(ARTIFACTS, 'login.png'), fullPage: true });
    await page.fill('#username', DEMO_USER.username);
    await page.fill('#password', DEMO_USER.password);
    await Promise.all([page.waitForURL(/\/oauth\/authorize/), page.click('button[type=submit]')]);

    await expect(page.locator('h1').textContent()).resolves.toContain('Allow Demo Client to access your account?');
    const text = await page.locator('main').innerText();
    expect(text).toContain(`localhost:${callbackPort}`);
    expect(text).toContain('Read your data');
    expect(text).toContain('Create and change your data');
    await page.screenshot({ path: join(ARTIFACTS, 'consent.png'), fullPage: true });

    await Promise.all([page.waitForURL(/^http:\/\/localhost:\d+\/callback/), page.click('button[value=approve]')]);
    receiver.close();
    expect(callback).toBeDefined();
    expect(callback!.searchParams.get('error')).toBeNull();
    expect(callback!.searchParams.get('code')).toMatch(/^mcpac_/);
    expect(callback!.searchParams.get('state')).toBe('browser-state');
    expect(callback!.searchParams.get('iss')).toBe(base);
    await context.close();
  });
});
