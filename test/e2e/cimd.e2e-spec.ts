import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { Clock } from 'src/common/clock';
import { TokenVerifier } from 'src/tokens/keys/token-verifier';
import { basic } from '../factories/client.factory';
import { MutableClock } from '../fakes/mutable-clock';
import { authorizePath, browser, formFields, signIn } from '../support/browser';
import { pkcePair } from '../support/pkce';
import { createTestApp, TestApp } from './create-test-app';

/*
 * Client ID Metadata Documents must be served over https. These tests serve them from a plain
 * http server on 127.0.0.1 instead, with the test-only switches CIMD_ALLOW_HTTP_LOOPBACK (http
 * client_ids on loopback hosts) and CIMD_ALLOW_LOOPBACK (loopback addresses pass the SSRF check):
 * generating a certificate at test time needs more than node:crypto offers, and the https path
 * differs only in the transport (the fetcher's unit spec covers the rest).
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

class DocumentServer {
  private server!: Server;
  private readonly routes = new Map<string, Handler>();
  readonly hits = new Map<string, number>();
  base = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = req.url ?? '';
      this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
      const handler = this.routes.get(path);
      if (handler) return handler(req, res);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  url(path: string): string {
    return `${this.base}${path}`;
  }

  route(path: string, handler: Handler): string {
    this.routes.set(path, handler);
    return this.url(path);
  }

  /** Serves a JSON document; `body` may use the document's own URL. */
  json(path: string, body: (url: string) => unknown, headers: Record<string, string> = {}): string {
    const url = this.url(path);
    return this.route(path, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body(url)));
    });
  }
}

const REDIRECT_URI = 'http://127.0.0.1:3000/callback';
/** The one public reason for every fetch failure (docs/security.md §11.6). */
const FETCH_FAILED = 'could not be fetched';
const goodDocument = (url: string, extra: Record<string, unknown> = {}) => ({
  client_id: url,
  client_name: 'Metadata App',
  client_uri: 'https://app.example.com',
  redirect_uris: [REDIRECT_URI],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
  ...extra,
});

describe('Client ID Metadata Documents (e2e)', () => {
  let t: TestApp;
  const docs = new DocumentServer();
  const clock = new MutableClock();
  afterEach(() => clock.reset());

  const authorizeUrl = (clientId: string, extra: Record<string, string> = {}) =>
    authorizePath({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'read write',
      state: 's',
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
      ...extra,
    });
  const tokenRequest = (body: Record<string, string>, auth?: string) => {
    const req = request(t.http).post('/oauth/token').type('form');
    if (auth) req.set('Authorization', auth);
    return req.send(body);
  };
  /** /authorize must render the "Unknown application" page with this reason, and /token invalid_client. */
  const expectRefused = async (clientId: string, reason: string) => {
    const page = await request(t.http).get(authorizeUrl(clientId));
    expect(page.status).toBe(400);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers.location).toBeUndefined();
    expect(page.text).toContain('Unknown application');
    expect(page.text).toContain(`client metadata document: ${reason}`);
    const token = await tokenRequest({ grant_type: 'authorization_code', code: 'x', client_id: clientId });
    expect(token.status).toBe(401);
    expect(token.body).toEqual({ error: 'invalid_client', error_description: `client metadata document: ${reason}` });
  };
  const row = async (clientId: string) =>
    (await t.dataSource.query('SELECT * FROM oauth_clients WHERE client_id = $1', [clientId]))[0];

  beforeAll(async () => {
    await docs.start();
    t = await createTestApp({
      env: {
        CIMD_ALLOW_HTTP_LOOPBACK: 'true',
        CIMD_ALLOW_LOOPBACK: 'true',
        // 2 s: short for the "too slow" case, long enough for a loaded machine's fetch of a good document.
        CIMD_FETCH_TIMEOUT_MS: '2000',
        // The documents are served on a random port; in production only 443 is fetched.
        CIMD_ALLOWED_PORTS: new URL(docs.base).port,
      },
      override: (b) => b.overrideProvider(Clock).useValue(clock),
    });
  });
  afterAll(async () => {
    await t.close();
    await docs.stop();
  });

  it('should take a client from its metadata document through consent to tokens', async () => {
    const clientId = docs.json('/clients/happy.json', (url) => goodDocument(url));
    const agent = browser(t.http);
    const { verifier, challenge } = pkcePair();
    const path = authorizeUrl(clientId, { code_challenge: challenge });
    expect((await signIn(agent, path)).status).toBe(303);
    const consent = await agent.get(path).expect(200);
    expect(consent.text).toContain('Metadata App');
    expect(consent.text).toContain('127.0.0.1:3000');
    expect(consent.text).toContain('This application runs on your own computer');
    // Nobody vetted it: the name is quoted as a claim, with the host that published it.
    expect(consent.text).toContain('Unverified application');
    expect(consent.text).toContain(`published at <strong>${new URL(clientId).host}</strong>`);
    const decision = await agent.post('/consent').type('form').send({ ...formFields(consent.text), decision: 'approve' });
    expect(decision.status).toBe(303);
    const code = new URL(decision.headers.location).searchParams.get('code')!;

    const res = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT_URI,
      client_id: clientId,
    }).expect(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'read write' });
    const verified = await t.app.get(TokenVerifier).verify(res.body.access_token, t.config.mcp.resource);
    expect(verified.clientId).toBe(clientId);
    expect(await row(clientId)).toMatchObject({
      source: 'cimd',
      client_name: 'Metadata App',
      token_endpoint_auth_method: 'none',
      client_secret_hash: null,
      application_type: 'native',
      metadata: { client_uri: 'https://app.example.com' },
    });
    expect(docs.hits.get('/clients/happy.json')).toBe(1);

    const withSecret = await tokenRequest({ grant_type: 'refresh_token', refresh_token: res.body.refresh_token }, basic(clientId, 'x'));
    expect(withSecret.status).toBe(401);
    expect(withSecret.body.error_description).toBe('public clients authenticate with none');
    await tokenRequest({ grant_type: 'refresh_token', refresh_token: res.body.refresh_token, client_id: clientId }).expect(200);
  });

  it('should accept a document that prefers private_key_jwt but offers none', async () => {
    const clientId = docs.json('/clients/pkjwt.json', (url) =>
      goodDocument(url, {
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_methods_supported: ['private_key_jwt', 'none'],
        jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] },
      }),
    );
    const res = await request(t.http).get(authorizeUrl(clientId));
    expect(res.status).toBe(302);
    expect(res.headers.location).toMatch(/^\/login/);
  });

  it('should show no localhost warning for a client with an https redirect URI', async () => {
    const clientId = docs.json('/clients/web.json', (url) =>
      goodDocument(url, { redirect_uris: ['https://app.example.com/cb', REDIRECT_URI] }),
    );
    const agent = browser(t.http);
    const path = authorizeUrl(clientId, { redirect_uri: 'https://app.example.com/cb' });
    await signIn(agent, path);
    const consent = await agent.get(path).expect(200);
    expect(consent.text).toContain('app.example.com');
    expect(consent.text).not.toContain('This application runs on your own computer');
  });

  it('should refuse a redirect_uri the document does not list', async () => {
    const clientId = docs.json('/clients/strict.json', (url) => goodDocument(url));
    const res = await request(t.http).get(authorizeUrl(clientId, { redirect_uri: 'http://127.0.0.1:3000/other' }));
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toContain('redirect_uri is not registered for this client');
  });

  describe('refused documents', () => {
    it('should refuse a document naming another client_id', async () => {
      const clientId = docs.json('/clients/mismatch.json', (url) => goodDocument(url, { client_id: `${url}?v=2` }));
      await expectRefused(clientId, 'client_id does not match the document url');
      expect(await row(clientId)).toBeUndefined();
    });

    it('should refuse a document without client_name', async () => {
      const clientId = docs.json('/clients/nameless.json', (url) => goodDocument(url, { client_name: undefined }));
      await expectRefused(clientId, 'client_name is required');
    });

    it('should refuse a document with bad redirect URIs', async () => {
      const clientId = docs.json('/clients/badredirect.json', (url) => goodDocument(url, { redirect_uris: ['javascript:alert(1)'] }));
      await expectRefused(clientId, 'redirect_uris[0] must not use the javascript scheme');
    });

    it('should refuse a document carrying a secret or a private key', async () => {
      const secret = docs.json('/clients/secret.json', (url) => goodDocument(url, { client_secret: 'shh' }));
      await expectRefused(secret, 'document must not contain a client secret');
      const key = docs.json('/clients/privkey.json', (url) => goodDocument(url, { jwks: { keys: [{ kty: 'EC', d: 'private' }] } }));
      await expectRefused(key, 'document must not contain private keys');
      const basicAuth = docs.json('/clients/basic.json', (url) => goodDocument(url, { token_endpoint_auth_method: 'client_secret_basic' }));
      await expectRefused(basicAuth, 'client secret authentication is not possible with a metadata document');
    });

    it('should refuse a document larger than 5 KB', async () => {
      const clientId = docs.json('/clients/huge.json', (url) => goodDocument(url, { padding: 'x'.repeat(6000) }));
      await expectRefused(clientId, FETCH_FAILED);
      expect(t.logs.join('\n')).toContain('document is larger than 5120 bytes');
    });

    it('should give up on a document that is too slow', async () => {
      const clientId = docs.route('/clients/slow.json', () => undefined);
      const started = Date.now();
      await expectRefused(clientId, FETCH_FAILED);
      expect(Date.now() - started).toBeLessThan(3000);
    });

    it('should refuse a redirect to another origin and follow one within the origin', async () => {
      const port = new URL(docs.base).port;
      const away = docs.route('/clients/away.json', (_req, res) =>
        res.writeHead(302, { Location: `http://localhost:${port}/clients/happy.json` }).end(),
      );
      await expectRefused(away, FETCH_FAILED);
      const moved = docs.url('/clients/moved.json');
      docs.json('/clients/moved-v2.json', () => goodDocument(moved));
      docs.route('/clients/moved.json', (_req, res) => res.writeHead(301, { Location: '/clients/moved-v2.json' }).end());
      const res = await request(t.http).get(authorizeUrl(moved));
      expect(res.status).toBe(302);
    });

    it('should refuse a missing document, HTML, and a malformed client_id URL', async () => {
      await expectRefused(docs.url('/clients/missing.json'), FETCH_FAILED);
      const html = docs.route('/clients/page.json', (_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>'));
      await expectRefused(html, FETCH_FAILED);
      await expectRefused(docs.url('/clients/../x.json'), 'client_id url must not contain dot segments');
      await expectRefused(`${docs.base}/`, 'client_id url must have a path');
    });

    it('should give one answer for every fetch failure: no status, content type or timeout oracle', async () => {
      const ids = [
        docs.url('/clients/oracle-missing.json'),
        docs.route('/clients/oracle-500.json', (_req, res) => res.writeHead(500).end()),
        docs.route('/clients/oracle-text.json', (_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end('{}')),
        docs.route('/clients/oracle-notjson.json', (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('<html>')),
        docs.route('/clients/oracle-slow.json', () => undefined),
        docs.route('/clients/oracle-reset.json', (req) => req.socket.destroy()),
      ];
      const answers = new Set<string>();
      for (const id of ids) {
        const page = await request(t.http).get(authorizeUrl(id));
        expect(page.status).toBe(400);
        answers.add(/<p class="error">([^<]*)<\/p>/.exec(page.text)![1]);
        const token = await tokenRequest({ grant_type: 'authorization_code', code: 'x', client_id: id });
        answers.add(`${token.status} ${JSON.stringify(token.body)}`);
      }
      expect([...answers]).toEqual([
        `client metadata document: ${FETCH_FAILED}`,
        `401 ${JSON.stringify({ error: 'invalid_client', error_description: `client metadata document: ${FETCH_FAILED}` })}`,
      ]);
      // The operator still learns what happened, from the log.
      expect(t.logs.join('\n')).toContain('fetch failed with http status 500');
    });

    it('should fetch from no port but the allowed ones (CIMD_ALLOWED_PORTS, default 443)', async () => {
      const other = new DocumentServer();
      await other.start();
      try {
        const clientId = other.json('/clients/elsewhere.json', (url) => goodDocument(url));
        await expectRefused(clientId, `client_id url must use port ${new URL(docs.base).port}`);
        expect(other.hits.size).toBe(0);
      } finally {
        await other.stop();
      }
    });

    it('should treat a disabled CIMD client as unknown', async () => {
      const clientId = docs.json('/clients/disabled.json', (url) => goodDocument(url));
      await request(t.http).get(authorizeUrl(clientId)).expect(302);
      await t.dataSource.query('UPDATE oauth_clients SET disabled = true WHERE client_id = $1', [clientId]);
      const page = await request(t.http).get(authorizeUrl(clientId));
      expect(page.status).toBe(400);
      expect(page.text).toContain('unknown client');
    });
  });

  it('should honour Cache-Control within its bounds and refresh the stored client when stale', async () => {
    let name = 'Cached v1';
    const path = '/clients/cached.json';
    const clientId = docs.json(path, (url) => goodDocument(url, { client_name: name }), { 'Cache-Control': 'public, max-age=120' });
    await request(t.http).get(authorizeUrl(clientId)).expect(302);
    name = 'Cached v2';
    clock.advance(119);
    await request(t.http).get(authorizeUrl(clientId)).expect(302);
    await tokenRequest({ grant_type: 'authorization_code', code: 'x', client_id: clientId }).expect(400);
    expect(docs.hits.get(path)).toBe(1);
    expect((await row(clientId)).client_name).toBe('Cached v1');
    clock.advance(2);
    await request(t.http).get(authorizeUrl(clientId)).expect(302);
    expect(docs.hits.get(path)).toBe(2);
    expect((await row(clientId)).client_name).toBe('Cached v2');

    const floor = docs.json('/clients/nocache.json', (url) => goodDocument(url), { 'Cache-Control': 'no-store' });
    await request(t.http).get(authorizeUrl(floor)).expect(302);
    await request(t.http).get(authorizeUrl(floor)).expect(302);
    expect(docs.hits.get('/clients/nocache.json')).toBe(1);
    clock.advance(61);
    await request(t.http).get(authorizeUrl(floor)).expect(302);
    expect(docs.hits.get('/clients/nocache.json')).toBe(2);
  });
});

describe('Client ID Metadata Documents without the loopback test switch (e2e)', () => {
  let t: TestApp;
  const docs = new DocumentServer();

  beforeAll(async () => {
    await docs.start();
    t = await createTestApp({
      env: { CIMD_ALLOW_HTTP_LOOPBACK: 'true', CIMD_ALLOW_LOOPBACK: 'false', CIMD_ALLOWED_PORTS: `443,${new URL(docs.base).port}` },
    });
  });
  afterAll(async () => {
    await t.close();
    await docs.stop();
  });

  it('should refuse to fetch from a loopback or private address', async () => {
    const clientId = docs.json('/clients/happy.json', (url) => goodDocument(url));
    for (const id of [clientId, clientId.replace('127.0.0.1', 'localhost'), 'https://10.0.0.1/client.json', 'https://169.254.169.254/latest/meta-data']) {
      const res = await request(t.http).post('/oauth/token').type('form').send({ grant_type: 'authorization_code', code: 'x', client_id: id });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'invalid_client', error_description: `client metadata document: ${FETCH_FAILED}` });
    }
    expect(docs.hits.size).toBe(0);
  });
});
