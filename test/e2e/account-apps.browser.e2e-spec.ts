import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { DEMO_CLIENT, DEMO_USER } from 'src/seed/demo-data';
import { authorizeAsUser, demoBasic, exchangeCode } from '../support/browser';
import { describeWithChromium, launchChromium } from '../support/chromium';
import { createTestApp, TestApp } from './create-test-app';

const ARTIFACTS = join(__dirname, '..', '..', 'artifacts');

describeWithChromium('Connected apps in a real browser (headless Chromium, e2e)', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('should sign in, show the connected app, and revoke it with the button: its tokens die', async () => {
    const { code, verifier } = await authorizeAsUser(t.http);
    const tokens = (await exchangeCode(t.http, code, verifier).expect(200)).body;

    const page = await browser.newPage();
    await page.goto(`${base}/account/apps`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#username', DEMO_USER.username);
    await page.fill('#password', DEMO_USER.password);
    await Promise.all([page.waitForURL(`${base}/account/apps`), page.click('button[type=submit]')]);

    const app = page.locator(`section[data-client-id="${DEMO_CLIENT.clientId}"]`);
    await app.waitFor();
    expect(await app.locator('h2').textContent()).toBe(DEMO_CLIENT.clientName);
    expect(await app.textContent()).toContain('Read your data through the MCP tools');
    await page.screenshot({
      path: join(ARTIFACTS, 'account-apps-before-revoke.png'),
      fullPage: true,
    });

    await Promise.all([
      page.waitForURL(`${base}/account/apps`),
      page.getByRole('button', { name: `Revoke access for ${DEMO_CLIENT.clientName}` }).click(),
    ]);
    await page.getByText('No applications have access to your account.').waitFor();
    await page.screenshot({
      path: join(ARTIFACTS, 'account-apps-after-revoke.png'),
      fullPage: true,
    });

    const refresh = await request(t.http)
      .post('/oauth/token')
      .set('Authorization', demoBasic())
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(refresh.body.error).toBe('invalid_grant');
    const introspection = await request(t.http)
      .post('/oauth/introspect')
      .set('Authorization', demoBasic())
      .type('form')
      .send({ token: tokens.access_token })
      .expect(200);
    expect(introspection.body).toEqual({ active: false });

    await Promise.all([
      page.waitForURL(`${base}/login`),
      page.getByRole('button', { name: 'Sign out', exact: true }).click(),
    ]);
    await page.goto(`${base}/account/apps`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.close();
  }, 120_000);
});
