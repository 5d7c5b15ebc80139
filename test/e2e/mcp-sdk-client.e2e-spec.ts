import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as StreamableHTTPClientTransportV2,
  UnauthorizedError as UnauthorizedErrorV2,
} from '@modelcontextprotocol/client';
import { Clock } from 'src/common/clock';
import { MutableClock } from '../fakes/mutable-clock';
import {
  HeadlessOAuthProvider,
  TraceEntry,
  traceLines,
  tracingFetch,
} from '../support/mcp-oauth-harness';
import { createTestApp, TestApp } from './create-test-app';

/**
 * The official MCP TypeScript SDK clients, unmodified, against the real server listening on a port:
 * 401 → protected resource metadata → AS metadata → dynamic registration → /authorize with PKCE and
 * resource (our real login and consent pages, walked by a headless browser) → /token → initialize →
 * tools. Then the step-up refusal (403 insufficient_scope) and refresh after expiry (docs/mcp.md
 * §1 item 35, §3.2).
 */
describe('MCP SDK clients against the server (e2e)', () => {
  const clock = new MutableClock();
  afterEach(() => clock.reset());
  const ALLOWED_ORIGIN = 'https://inspector.example.com';
  let t: TestApp;
  let issuer: string;
  let mcpUrl: URL;
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    t = await createTestApp({
      listen: true,
      env: { MCP_ALLOWED_ORIGINS: `${ALLOWED_ORIGIN}, http://localhost:5173` },
      override: (b) => b.overrideProvider(Clock).useValue(clock),
    });
    issuer = t.origin!;
    mcpUrl = new URL(`${issuer}/mcp`);
  });
  afterAll(async () => {
    for (const close of closers.splice(0)) await close().catch(() => undefined);
    await t.close();
  });

  const text = (result: unknown): string =>
    (result as { content: Array<{ type: string; text?: string }> }).content.find(
      (c) => c.type === 'text',
    )?.text ?? '';

  /** v1: connect, get UnauthorizedError after the provider's browser dance, finishAuth, reconnect. */
  async function connectV1(provider: HeadlessOAuthProvider, trace: TraceEntry[]): Promise<Client> {
    const fetch = tracingFetch(trace);
    const first = new Client({ name: 'e2e-sdk-v1', version: '1.0.0' });
    await expect(
      first.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider, fetch })),
    ).rejects.toBeInstanceOf(UnauthorizedError);
    const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider, fetch });
    await transport.finishAuth(provider.lastCallback.get('code')!);
    const client = new Client({ name: 'e2e-sdk-v1', version: '1.0.0' });
    await client.connect(transport);
    closers.push(() => client.close());
    return client;
  }

  /** The lines of the trace in order, without the client's optional GET /mcp stream (sent unawaited). */
  const ordered = (trace: TraceEntry[]) =>
    traceLines(
      trace.filter((e) => !(e.by === 'sdk' && e.method === 'GET' && e.url.pathname === '/mcp')),
    );

  describe('@modelcontextprotocol/sdk 1.32.2', () => {
    it('should run the whole dance: 401 → PRM → AS metadata → DCR → authorize (PKCE, resource) → token → initialize → tools', async () => {
      const trace: TraceEntry[] = [];
      const provider = new HeadlessOAuthProvider({ trace });
      const client = await connectV1(provider, trace);

      const tools = await client.listTools();
      expect(tools.tools.map((tool) => tool.name)).toEqual(
        expect.arrayContaining(['greet', 'whoami', 'notes_add', 'notes_list']),
      );
      const greeting = await client.callTool({ name: 'greet', arguments: { name: 'SDK' } });
      expect(greeting.isError).toBeFalsy();
      expect(text(greeting)).toContain('SDK');

      expect(ordered(trace)).toEqual([
        'sdk POST /mcp initialize → 401',
        'sdk GET /.well-known/oauth-protected-resource/mcp → 200',
        'sdk GET /.well-known/oauth-authorization-server → 200',
        'sdk POST /oauth/register → 201',
        'browser GET /oauth/authorize → 302',
        'browser GET /login → 200',
        'browser POST /login → 303',
        'browser GET /oauth/authorize → 200',
        'browser POST /consent → 303',
        // finishAuth() on a fresh transport reuses the provider's discoveryState: no second discovery.
        'sdk POST /oauth/token authorization_code → 200',
        'sdk POST /mcp initialize → 200',
        'sdk POST /mcp notifications/initialized → 202',
        'sdk POST /mcp tools/list → 200',
        'sdk POST /mcp tools/call → 200',
      ]);
      // The stateless endpoint offers no standalone SSE stream; the SDK tolerates 405.
      expect(
        trace.filter((e) => e.method === 'GET' && e.url.pathname === '/mcp').map((e) => e.status),
      ).toEqual([405]);

      // 401: the challenge that starts it all, with the PRM URL and the baseline scopes.
      const challenge = trace[0].responseHeaders.get('www-authenticate')!;
      expect(challenge).toMatch(/^Bearer /);
      expect(challenge).toContain(
        `resource_metadata="${issuer}/.well-known/oauth-protected-resource/mcp"`,
      );
      expect(challenge).toContain('scope="read write"');
      expect(challenge).not.toContain('error=');

      // DCR: a public client with the SDK's metadata; the answer echoes redirect_uris.
      const registration = trace.find((e) => e.url.pathname === '/oauth/register')!;
      expect(registration.json).toMatchObject({
        redirect_uris: ['http://localhost:3999/callback'],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        scope: 'read write',
      });
      const clientId = provider.clientInformation()!.client_id;
      expect(clientId).toEqual(expect.any(String));

      // The authorization request the SDK built: PKCE S256, the resource indicator, the challenged scopes.
      const [{ authorizationUrl, callback }] = provider.authorizations;
      expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(`${issuer}/oauth/authorize`);
      expect(Object.fromEntries(authorizationUrl.searchParams)).toMatchObject({
        response_type: 'code',
        client_id: clientId,
        code_challenge_method: 'S256',
        code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        redirect_uri: 'http://localhost:3999/callback',
        scope: 'read write',
        resource: `${issuer}/mcp`,
      });
      // The answer to it (RFC 9207 iss included), at the client's redirect URI.
      expect(callback.origin + callback.pathname).toBe('http://localhost:3999/callback');
      expect(callback.searchParams.get('iss')).toBe(issuer);
      expect(callback.searchParams.get('state')).toBe(authorizationUrl.searchParams.get('state'));

      // The token request: the verifier, the same redirect_uri and resource, client_id in the body (public client).
      const token = trace.find((e) => e.url.pathname === '/oauth/token')!;
      expect(Object.fromEntries(token.form!)).toMatchObject({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code'),
        code_verifier: expect.any(String),
        redirect_uri: 'http://localhost:3999/callback',
        resource: `${issuer}/mcp`,
        client_id: clientId,
      });
      expect(token.headers.get('authorization')).toBeNull();
      expect(provider.tokens()).toMatchObject({
        token_type: expect.stringMatching(/^bearer$/i),
        scope: 'read write',
      });
      expect(provider.tokens()!.refresh_token).toEqual(expect.any(String));

      // Every MCP request after the token carries it.
      const mcpAfterAuth = trace.filter((e) => e.url.pathname === '/mcp' && e.status !== 401);
      for (const e of mcpAfterAuth)
        expect(e.headers.get('authorization')).toBe(`Bearer ${provider.tokens()!.access_token}`);
    });

    it('should answer notes_add with a read-only token with 403 insufficient_scope, which the SDK reports after one refresh', async () => {
      const trace: TraceEntry[] = [];
      // The person grants only `read`, although the SDK asked for `read write`.
      const provider = new HeadlessOAuthProvider({ trace, grantScope: 'read' });
      const client = await connectV1(provider, trace);
      expect(provider.tokens()!.scope).toBe('read');
      // The read tool works (this person has no notes yet in this app)...
      expect(text(await client.callTool({ name: 'notes_list', arguments: {} }))).toBe('No notes yet.');

      // On the wire: HTTP 403 with a step-up challenge naming everything the call needs.
      const raw = await fetch(mcpUrl, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${provider.tokens()!.access_token}`,
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          'MCP-Protocol-Version': '2025-11-25',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 7,
          method: 'tools/call',
          params: { name: 'notes_add', arguments: { text: 'x' } },
        }),
      });
      expect(raw.status).toBe(403);
      const challenge = raw.headers.get('www-authenticate')!;
      expect(challenge).toMatch(/^Bearer /);
      expect(challenge).toContain('error="insufficient_scope"');
      expect(challenge).toContain('scope="read write"');
      expect(challenge).toContain(
        `resource_metadata="${issuer}/.well-known/oauth-protected-resource/mcp"`,
      );

      // The v1 SDK steps up by refreshing (same grant, same scope), gets the same 403 and gives up.
      trace.length = 0;
      const call = client.callTool({ name: 'notes_add', arguments: { text: 'not allowed' } });
      await expect(call).rejects.toBeInstanceOf(StreamableHTTPError);
      await expect(call).rejects.toMatchObject({
        code: 403,
        message: expect.stringContaining('403 after trying upscoping'),
      });
      const lines = ordered(trace);
      expect(lines[0]).toBe('sdk POST /mcp tools/call → 403');
      expect(lines).toContain('sdk POST /oauth/token refresh_token → 200');
      expect(lines.at(-1)).toBe('sdk POST /mcp tools/call → 403');
      expect(provider.authorizations).toHaveLength(1); // no second trip through the browser
      expect(provider.tokens()!.scope).toBe('read');
      const rows: Array<{ n: string }> = await t.dataSource.query(
        `SELECT count(*)::text AS n FROM notes`,
      );
      expect(rows[0].n).toBe('0');
    });

    it('should refresh with grant_type=refresh_token when the access token has expired, and the call succeeds', async () => {
      const trace: TraceEntry[] = [];
      const provider = new HeadlessOAuthProvider({ trace });
      const client = await connectV1(provider, trace);
      const before = provider.tokens()!;
      expect(text(await client.callTool({ name: 'whoami', arguments: {} }))).toBeTruthy();

      clock.advance(3601);
      trace.length = 0;
      const result = await client.callTool({ name: 'greet', arguments: { name: 'later' } });
      expect(result.isError).toBeFalsy();
      expect(text(result)).toContain('later');

      const lines = ordered(trace);
      expect(lines[0]).toBe('sdk POST /mcp tools/call → 401');
      expect(trace[0].responseHeaders.get('www-authenticate')).toContain('error="invalid_token"');
      expect(lines).toContain('sdk POST /oauth/token refresh_token → 200');
      expect(lines.at(-1)).toBe('sdk POST /mcp tools/call → 200');
      expect(lines.filter((l) => l.startsWith('browser'))).toEqual([]);
      const refresh = trace.find((e) => e.form?.get('grant_type') === 'refresh_token')!;
      expect(Object.fromEntries(refresh.form!)).toMatchObject({
        refresh_token: before.refresh_token,
        resource: `${issuer}/mcp`,
        client_id: provider.clientInformation()!.client_id,
      });
      const after = provider.tokens()!;
      expect(after.access_token).not.toBe(before.access_token);
      expect(after.refresh_token).not.toBe(before.refresh_token); // rotated
    });
  });

  describe('@modelcontextprotocol/client 2.4.0', () => {
    async function connectV2(
      provider: HeadlessOAuthProvider,
      trace: TraceEntry[],
      auto = false,
    ): Promise<ClientV2> {
      const fetch = tracingFetch(trace);
      const options = auto ? { versionNegotiation: { mode: 'auto' as const } } : {};
      const first = new ClientV2({ name: 'e2e-sdk-v2', version: '2.0.0' }, options);
      await expect(
        first.connect(
          new StreamableHTTPClientTransportV2(mcpUrl, { authProvider: provider, fetch }),
        ),
      ).rejects.toBeInstanceOf(UnauthorizedErrorV2);
      const transport = new StreamableHTTPClientTransportV2(mcpUrl, {
        authProvider: provider,
        fetch,
      });
      // v2 checks the callback's iss against the AS metadata (RFC 9207).
      await transport.finishAuth(provider.lastCallback);
      const client = new ClientV2({ name: 'e2e-sdk-v2', version: '2.0.0' }, options);
      await client.connect(transport);
      closers.push(() => client.close());
      return client;
    }

    it('should run the same dance (legacy initialize) and call a tool', async () => {
      const trace: TraceEntry[] = [];
      const provider = new HeadlessOAuthProvider({ trace, clientName: 'MCP SDK v2 e2e' });
      const client = await connectV2(provider, trace);
      const tools = await client.listTools();
      expect(tools.tools.map((tool) => tool.name)).toContain('greet');
      expect(text(await client.callTool({ name: 'greet', arguments: { name: 'v2' } }))).toContain(
        'v2',
      );

      const lines = ordered(trace);
      expect(lines.slice(0, 4)).toEqual([
        'sdk POST /mcp initialize → 401',
        'sdk GET /.well-known/oauth-protected-resource/mcp → 200',
        'sdk GET /.well-known/oauth-authorization-server → 200',
        'sdk POST /oauth/register → 201',
      ]);
      expect(lines).toContain('sdk POST /oauth/token authorization_code → 200');
      expect(lines.slice(-4)).toEqual([
        'sdk POST /mcp initialize → 200',
        'sdk POST /mcp notifications/initialized → 202',
        'sdk POST /mcp tools/list → 200',
        'sdk POST /mcp tools/call → 200',
      ]);
      const registration = trace.find((e) => e.url.pathname === '/oauth/register')!;
      expect(registration.json).toMatchObject({
        application_type: 'native',
        redirect_uris: ['http://localhost:3999/callback'],
      });
      const authorize = provider.authorizations[0].authorizationUrl.searchParams;
      expect(authorize.get('resource')).toBe(`${issuer}/mcp`);
      // v2 adds offline_access (listed in our AS metadata, refresh_token grant registered) and then prompt=consent.
      expect(authorize.get('scope')).toBe('read write offline_access');
      expect(authorize.get('prompt')).toBe('consent');
      expect(provider.tokens()!.refresh_token).toEqual(expect.any(String));
    });

    it('should speak 2026-07-28 in auto version negotiation: discovery → DCR → login and consent → server/discover → tools/list → tools/call', async () => {
      const trace: TraceEntry[] = [];
      const provider = new HeadlessOAuthProvider({ trace, clientName: 'MCP SDK v2 auto e2e' });
      const client = await connectV2(provider, trace, true);
      const tools = await client.listTools();
      expect(tools.tools.map((tool) => tool.name)).toEqual(
        expect.arrayContaining(['greet', 'whoami', 'notes_add', 'notes_list']),
      );
      const greeting = await client.callTool({ name: 'greet', arguments: { name: 'auto' } });
      expect(greeting.isError).toBeFalsy();
      expect(text(greeting)).toContain('auto');
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');

      const lines = ordered(trace);
      expect(lines.slice(0, 4)).toEqual([
        'sdk POST /mcp server/discover → 401',
        'sdk GET /.well-known/oauth-protected-resource/mcp → 200',
        'sdk GET /.well-known/oauth-authorization-server → 200',
        'sdk POST /oauth/register → 201',
      ]);
      expect(lines).toContain('browser POST /login → 303');
      expect(lines).toContain('browser POST /consent → 303');
      expect(lines).toContain('sdk POST /oauth/token authorization_code → 200');
      expect(lines.slice(-3)).toEqual([
        'sdk POST /mcp server/discover → 200',
        'sdk POST /mcp tools/list → 200',
        'sdk POST /mcp tools/call → 200',
      ]);
      // The modern wire: no handshake, no session, the per-request headers on every POST.
      expect(lines.filter((l) => /initialize/.test(l))).toEqual([]);
      const mcp = trace.filter((e) => e.url.pathname === '/mcp' && e.status === 200);
      for (const e of mcp) {
        expect(e.headers.get('mcp-protocol-version')).toBe('2026-07-28');
        expect(e.headers.get('mcp-method')).toBe(e.rpc);
        expect(e.headers.get('mcp-session-id')).toBeNull();
        expect(e.responseHeaders.get('mcp-session-id')).toBeNull();
        expect(e.headers.get('authorization')).toBe(`Bearer ${provider.tokens()!.access_token}`);
      }
      expect(mcp.find((e) => e.rpc === 'tools/call')!.headers.get('mcp-name')).toBe('greet');
      // The 2026-07-28 authorization rules: DCR with application_type, iss on the callback.
      const registration = trace.find((e) => e.url.pathname === '/oauth/register')!;
      expect(registration.json).toMatchObject({ application_type: 'native' });
      expect(registration.responseHeaders.get('content-type')).toMatch(/json/);
      expect(provider.clientInformation()).toMatchObject({ application_type: 'native' });
      expect(provider.lastCallback.get('iss')).toBe(issuer);
      const challenge = trace[0].responseHeaders.get('www-authenticate')!;
      expect(challenge).not.toContain('offline_access');
    });

    it('should step up on 403 insufficient_scope: a new authorization asking for granted ∪ challenged scopes', async () => {
      const trace: TraceEntry[] = [];
      const provider = new HeadlessOAuthProvider({
        trace,
        clientName: 'MCP SDK v2 step-up e2e',
        grantScope: 'read',
      });
      const client = await connectV2(provider, trace);
      expect(provider.tokens()!.scope).toBe('read');
      trace.length = 0;
      const call = client.callTool({ name: 'notes_add', arguments: { text: 'needs write' } });
      await expect(call).rejects.toBeInstanceOf(UnauthorizedErrorV2);
      expect(ordered(trace)[0]).toBe('sdk POST /mcp tools/call → 403');
      // v2 unions the scopes (SEP-2350) and sends the person back to /authorize instead of refreshing.
      expect(provider.authorizations).toHaveLength(2);
      expect(
        provider.authorizations[1].authorizationUrl.searchParams.get('scope')!.split(' '),
      ).toEqual(expect.arrayContaining(['read', 'write']));
      expect(ordered(trace).filter((l) => l.includes('refresh_token'))).toEqual([]);
    });

    it('should refresh after expiry', async () => {
      const trace: TraceEntry[] = [];
      const provider = new HeadlessOAuthProvider({ trace, clientName: 'MCP SDK v2 refresh e2e' });
      const client = await connectV2(provider, trace);
      const before = provider.tokens()!;
      clock.advance(3601);
      trace.length = 0;
      expect(
        text(await client.callTool({ name: 'greet', arguments: { name: 'v2 later' } })),
      ).toContain('v2 later');
      const lines = ordered(trace);
      expect(lines[0]).toBe('sdk POST /mcp tools/call → 401');
      expect(lines).toContain('sdk POST /oauth/token refresh_token → 200');
      expect(lines.at(-1)).toBe('sdk POST /mcp tools/call → 200');
      expect(provider.tokens()!.refresh_token).not.toBe(before.refresh_token);
    });
  });

  it('should have no conformance fixture route (the fixture is test code outside src/)', async () => {
    const res = await fetch(`${issuer}/conformance/mcp`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
    });
    expect(res.status).toBe(404);
  });

  describe('MCP_ALLOWED_ORIGINS', () => {
    const preflight = (origin: string) =>
      fetch(mcpUrl, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
      });

    it('should let a configured browser origin call /mcp (CORS) and still demand a token', async () => {
      const res = await preflight(ALLOWED_ORIGIN);
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
      const post = await fetch(mcpUrl, {
        method: 'POST',
        headers: {
          Origin: 'http://localhost:5173',
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(post.status).toBe(401);
      expect(post.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(post.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
    });

    it('should refuse any other origin with 403', async () => {
      expect((await preflight('https://evil.example.com')).status).toBe(403);
      expect((await preflight('https://inspector.example.com:8443')).status).toBe(403);
    });
  });
});
