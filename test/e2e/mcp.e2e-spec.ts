import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AddressInfo } from 'node:net';
import { AuditService } from 'src/audit/audit.service';
import {
  TokenRejectedError,
  TokenVerifier,
  VerifiedAccessToken,
} from 'src/tokens/keys/token-verifier';
import request from 'supertest';
import { createTestApp, TestApp } from './create-test-app';

const ISSUER = 'http://127.0.0.1:8000';
const RESOURCE = `${ISSUER}/mcp`;
const PRM = `${ISSUER}/.well-known/oauth-protected-resource/mcp`;
const ALICE = '0b7d3a52-4c1e-4f7a-9d35-2f1e7c0a9b11';
const BOB = '6f2c9e14-8a3b-4d5e-b1c7-3e9f0a2d4c22';
const EXPIRES_AT = Math.floor(Date.parse('2030-01-01T00:00:00Z') / 1000);

/** Fixed strings standing for verified tokens with chosen subjects and scopes. */
const TOKENS: Record<string, { sub: string; scope: string[] }> = {
  'alice-read': { sub: ALICE, scope: ['read'] },
  'alice-rw': { sub: ALICE, scope: ['read', 'write'] },
  'bob-rw': { sub: BOB, scope: ['read', 'write'] },
};

class FakeTokenVerifier extends TokenVerifier {
  async verify(token: string, expectedAudience: string): Promise<VerifiedAccessToken> {
    const known = TOKENS[token];
    if (!known) throw new TokenRejectedError('signature');
    if (expectedAudience !== RESOURCE) throw new TokenRejectedError('audience');
    return {
      jti: `jti-${token}`,
      sub: known.sub,
      clientId: 'e2e-client',
      scope: known.scope,
      audience: RESOURCE,
      issuedAt: EXPIRES_AT - 3600,
      expiresAt: EXPIRES_AT,
    };
  }
}

const MCP_HEADERS = {
  Accept: 'application/json, text/event-stream',
  'Content-Type': 'application/json',
  'MCP-Protocol-Version': '2025-11-25',
};

const rpc = (method: string, params?: unknown, id: number | string = 1) => ({
  jsonrpc: '2.0',
  id,
  method,
  params,
});

describe('MCP resource server (e2e)', () => {
  let t: TestApp;
  let url: URL;
  const clients: Client[] = [];

  const connect = async (token: string): Promise<Client> => {
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(url, {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    });
    await client.connect(transport);
    clients.push(client);
    return client;
  };

  const mcpPost = (body: unknown, token?: string) => {
    const req = request(t.http).post('/mcp').set(MCP_HEADERS);
    if (token) req.set('Authorization', `Bearer ${token}`);
    return req.send(body as object);
  };

  beforeAll(async () => {
    t = await createTestApp({
      env: { ISSUER },
      override: (b) => b.overrideProvider(TokenVerifier).useValue(new FakeTokenVerifier()),
    });
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    url = new URL(`http://127.0.0.1:${port}/mcp`);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await t.close();
  });

  describe('authentication', () => {
    it('should answer a request without a token with 401 and the baseline challenge', async () => {
      const res = await mcpPost(rpc('initialize')).expect(401);
      expect(res.headers['www-authenticate']).toBe(
        `Bearer scope="read write", resource_metadata="${PRM}"`,
      );
      expect(res.body).toEqual({
        error: 'unauthorized',
        error_description: 'authentication required',
      });
    });

    it('should answer an unknown token with 401 invalid_token', async () => {
      const res = await mcpPost(rpc('tools/list'), 'forged').expect(401);
      expect(res.headers['www-authenticate']).toBe(
        `Bearer error="invalid_token", error_description="invalid access token", scope="read write", ` +
          `resource_metadata="${PRM}"`,
      );
    });

    it('should ignore a token in the query string', async () => {
      const res = await request(t.http)
        .post('/mcp?access_token=alice-rw')
        .set(MCP_HEADERS)
        .send(rpc('ping'));
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).not.toContain('error=');
    });

    it('should answer `Bearer ` with an empty token like no header: 401 without an error code', async () => {
      for (const value of ['Bearer ', 'Bearer', 'bearer    ']) {
        const res = await mcpPost(rpc('tools/list')).set('Authorization', value).expect(401);
        expect(res.headers['www-authenticate']).toBe(
          `Bearer scope="read write", resource_metadata="${PRM}"`,
        );
        expect(res.body).toEqual({
          error: 'unauthorized',
          error_description: 'authentication required',
        });
      }
    });

    it('should answer a malformed Authorization header with 400 invalid_request', async () => {
      const res = await mcpPost(rpc('ping')).set('Authorization', 'Bearer two words').expect(400);
      expect(res.body.error).toBe('invalid_request');
    });
  });

  describe('over the MCP SDK client', () => {
    it('should initialize and list the tools with their scopes', async () => {
      const client = await connect('alice-read');
      expect(client.getServerVersion()).toMatchObject({ name: 'mcp-oauth-server' });
      const { tools } = await client.listTools();
      expect(tools.map((tool) => [tool.name, tool._meta?.securitySchemes])).toEqual([
        ['greet', [{ type: 'oauth2', scopes: ['read'] }]],
        ['whoami', [{ type: 'oauth2', scopes: ['read'] }]],
        ['notes_add', [{ type: 'oauth2', scopes: ['write'] }]],
        ['notes_list', [{ type: 'oauth2', scopes: ['read'] }]],
      ]);
      expect(tools[0].inputSchema).toMatchObject({ type: 'object', required: ['name'] });
    });

    it('should call greet', async () => {
      const client = await connect('alice-read');
      const result = await client.callTool({ name: 'greet', arguments: { name: 'Ada' } });
      expect(result).toEqual({ content: [{ type: 'text', text: 'Hello, Ada!' }] });
    });

    it('should return a bad argument as a tool error, not an HTTP error', async () => {
      const client = await connect('alice-read');
      const result = await client.callTool({ name: 'greet', arguments: { name: 42 } });
      expect(result).toEqual({
        content: [{ type: 'text', text: 'invalid arguments: name' }],
        isError: true,
      });
    });

    it('should tell the caller who they are', async () => {
      const client = await connect('alice-read');
      const result = await client.callTool({ name: 'whoami', arguments: {} });
      expect(result.structuredContent).toEqual({
        subject: ALICE,
        clientId: 'e2e-client',
        scopes: ['read'],
        expiresAt: '2030-01-01T00:00:00.000Z',
      });
    });

    it('should keep notes per subject, newest first', async () => {
      const alice = await connect('alice-rw');
      const bob = await connect('bob-rw');
      await alice.callTool({ name: 'notes_add', arguments: { text: 'alice one' } });
      await alice.callTool({ name: 'notes_add', arguments: { text: 'alice two' } });
      await bob.callTool({ name: 'notes_add', arguments: { text: 'bob one' } });

      const listed = await alice.callTool({ name: 'notes_list', arguments: {} });
      const texts = (listed.structuredContent as { notes: { text: string }[] }).notes.map(
        (n) => n.text,
      );
      expect(texts).toEqual(['alice two', 'alice one']);
      const limited = await alice.callTool({ name: 'notes_list', arguments: { limit: 1 } });
      expect((limited.structuredContent as { notes: unknown[] }).notes).toHaveLength(1);
      const rows = await t.dataSource.query(`SELECT owner, text FROM notes ORDER BY created_at`);
      expect(rows).toEqual([
        { owner: ALICE, text: 'alice one' },
        { owner: ALICE, text: 'alice two' },
        { owner: BOB, text: 'bob one' },
      ]);
    });

    it('should refuse a call that needs more scope so the client can step up', async () => {
      const client = await connect('alice-read');
      await expect(
        client.callTool({ name: 'notes_add', arguments: { text: 'x' } }),
      ).rejects.toMatchObject({
        code: 403,
        message: expect.stringContaining('insufficient_scope'),
      });
    });
  });

  describe('per-tool scopes on the wire', () => {
    it('should answer tools/call of a tool the token may not use with 403 and a step-up challenge', async () => {
      const res = await mcpPost(
        rpc('tools/call', { name: 'notes_add', arguments: { text: 'x' } }),
        'alice-read',
      );
      expect(res.status).toBe(403);
      expect(res.headers['www-authenticate']).toBe(
        `Bearer error="insufficient_scope", error_description="requires scope write", scope="read write", ` +
          `resource_metadata="${PRM}"`,
      );
      expect(res.body).toEqual({
        error: 'insufficient_scope',
        error_description: 'requires scope write',
      });
    });

    it('should check every tools/call of a batch', async () => {
      const batch = [
        rpc('tools/call', { name: 'greet', arguments: { name: 'a' } }, 1),
        rpc('tools/call', { name: 'notes_add', arguments: { text: 'x' } }, 2),
      ];
      const before = await t.dataSource.query(`SELECT count(*)::int AS n FROM notes WHERE owner = $1`, [ALICE]);
      const res = await mcpPost(batch, 'alice-read').expect(403);
      expect(res.headers['www-authenticate']).toBe(
        `Bearer error="insufficient_scope", error_description="requires scope read write", scope="read write", ` +
          `resource_metadata="${PRM}"`,
      );
      // Nothing of the batch ran, not even its permitted first call's neighbours.
      expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM notes WHERE owner = $1`, [ALICE])).toEqual(before);
    });

    it('should keep concurrent callers apart, even when they reuse the same JSON-RPC id', async () => {
      const calls = Array.from({ length: 24 }, (_, i) => {
        const token = i % 2 === 0 ? 'alice-read' : 'bob-rw';
        return mcpPost(rpc('tools/call', { name: 'whoami', arguments: {} }, 1), token).then(
          (res) => ({ token, res }),
        );
      });
      for (const { token, res } of await Promise.all(calls)) {
        expect(res.status).toBe(200);
        expect(res.body.id).toBe(1);
        expect(res.body.result.structuredContent.subject).toBe(TOKENS[token].sub);
        expect(res.body.result.structuredContent.scopes).toEqual(TOKENS[token].scope);
      }
      const strings = await mcpPost(
        rpc('tools/call', { name: 'greet', arguments: { name: 'id' } }, 'abc'),
        'alice-read',
      ).expect(200);
      expect(strings.body).toMatchObject({
        jsonrpc: '2.0',
        id: 'abc',
        result: { content: [{ text: 'Hello, id!' }] },
      });
    });

    it('should answer an unknown tool with a JSON-RPC error', async () => {
      const res = await mcpPost(
        rpc('tools/call', { name: 'nope', arguments: {} }),
        'alice-read',
      ).expect(200);
      expect(res.body).toMatchObject({
        id: 1,
        error: { code: -32602, message: expect.stringContaining('unknown tool') },
      });
    });
  });

  describe('Streamable HTTP', () => {
    it('should answer GET and DELETE with 405 and Allow', async () => {
      for (const method of ['get', 'delete'] as const) {
        const res = await request(t.http)
          [method]('/mcp')
          .set('Authorization', 'Bearer alice-read')
          .expect(405);
        expect(res.headers['allow']).toBe('POST, OPTIONS');
        expect(res.body).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
      }
    });

    it('should answer a notification with 202 and no body', async () => {
      const res = await mcpPost(
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        'alice-read',
      ).expect(202);
      expect(res.text).toBe('');
    });

    it('should answer an unsupported MCP-Protocol-Version with 400', async () => {
      const res = await mcpPost(rpc('tools/list'), 'alice-read')
        .set('MCP-Protocol-Version', '1999-01-01')
        .expect(400);
      expect(res.body).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    });

    it('should leave the SDK transport to refuse what it refuses: 406 without both media types, 415 for another body type', async () => {
      const call = rpc('tools/call', { name: 'greet', arguments: { name: 'x' } });
      const notAcceptable = await mcpPost(call, 'alice-read').set('Accept', 'application/json');
      expect(notAcceptable.status).toBe(406);
      expect(notAcceptable.body).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
      const unsupported = await request(t.http)
        .post('/mcp')
        .set({ ...MCP_HEADERS, Authorization: 'Bearer alice-read', 'Content-Type': 'text/plain' })
        .send(JSON.stringify(call));
      expect(unsupported.status).toBe(415);
    });

    it('should answer initialize for older protocol revisions', async () => {
      const res = await mcpPost(
        rpc('initialize', {
          protocolVersion: '2025-03-26',
          capabilities: {},
          clientInfo: { name: 'old', version: '1' },
        }),
        'alice-read',
      ).expect(200);
      expect(res.body.result.protocolVersion).toBe('2025-03-26');
      expect(res.headers['mcp-session-id']).toBeUndefined();
    });
  });

  describe('2026-07-28 wire (stateless, per-request envelope)', () => {
    const MODERN = '2026-07-28';
    const envelope = {
      'io.modelcontextprotocol/protocolVersion': MODERN,
      'io.modelcontextprotocol/clientInfo': { name: 'e2e-modern', version: '1.0.0' },
      'io.modelcontextprotocol/clientCapabilities': {},
    };
    const modernPost = (
      method: string,
      params: Record<string, unknown> = {},
      options: { token?: string; name?: string; version?: string; meta?: object } = {},
    ) => {
      const req = request(t.http)
        .post('/mcp')
        .set({
          Accept: 'application/json, text/event-stream',
          'Content-Type': 'application/json',
          'MCP-Protocol-Version': options.version ?? MODERN,
          'Mcp-Method': method,
        });
      if (options.name !== undefined) req.set('Mcp-Name', options.name);
      if (options.token) req.set('Authorization', `Bearer ${options.token}`);
      return req.send({
        jsonrpc: '2.0',
        id: 'm1',
        method,
        params: { ...params, _meta: options.meta ?? envelope },
      });
    };

    it('should answer server/discover without a session or initialize', async () => {
      const res = await modernPost('server/discover', {}, { token: 'alice-read' }).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['mcp-session-id']).toBeUndefined();
      expect(res.body).toMatchObject({
        jsonrpc: '2.0',
        id: 'm1',
        result: {
          resultType: 'complete',
          // The modern revisions; 2025-era clients keep using initialize on the same URL.
          supportedVersions: [MODERN],
          capabilities: { tools: expect.any(Object) },
        },
      });
    });

    it('should list the same tools with resultType and the cache hints (ttlMs, cacheScope)', async () => {
      const res = await modernPost('tools/list', {}, { token: 'alice-read' }).expect(200);
      expect(res.body.result).toMatchObject({
        resultType: 'complete',
        ttlMs: expect.any(Number),
        cacheScope: expect.stringMatching(/^(public|private)$/),
      });
      const legacy = await mcpPost(rpc('tools/list'), 'alice-read').expect(200);
      expect(res.body.result.tools).toEqual(legacy.body.result.tools);
    });

    it('should call a tool with Mcp-Name and answer resultType complete', async () => {
      const res = await modernPost(
        'tools/call',
        { name: 'greet', arguments: { name: 'modern' } },
        { token: 'alice-read', name: 'greet' },
      ).expect(200);
      expect(res.body.result).toMatchObject({
        resultType: 'complete',
        content: [{ type: 'text', text: 'Hello, modern!' }],
      });
    });

    it('should refuse a header/body mismatch with 400 -32020 (HeaderMismatch)', async () => {
      const res = await modernPost(
        'tools/call',
        { name: 'greet', arguments: { name: 'x' } },
        { token: 'alice-read', name: 'whoami' },
      ).expect(400);
      expect(res.body).toMatchObject({ jsonrpc: '2.0', error: { code: -32020 } });
      const missing = await modernPost(
        'tools/call',
        { name: 'greet', arguments: { name: 'x' } },
        { token: 'alice-read' },
      ).expect(400);
      expect(missing.body.error.code).toBe(-32020);
    });

    it('should refuse an unsupported revision with 400 -32022 naming the supported ones', async () => {
      const res = await modernPost(
        'tools/list',
        {},
        {
          token: 'alice-read',
          version: '2099-01-01',
          meta: { ...envelope, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' },
        },
      ).expect(400);
      expect(res.body).toMatchObject({
        jsonrpc: '2.0',
        error: { code: -32022, data: { supported: expect.arrayContaining([MODERN]) } },
      });
    });

    it('should not serve a 2026-07-28 header without the envelope as a 2025-era call (400 -32602)', async () => {
      const res = await request(t.http)
        .post('/mcp')
        .set({
          ...MCP_HEADERS,
          'MCP-Protocol-Version': MODERN,
          'Mcp-Method': 'tools/call',
          'Mcp-Name': 'greet',
        })
        .set('Authorization', 'Bearer alice-read')
        .send(rpc('tools/call', { name: 'greet', arguments: { name: 'x' } }));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ jsonrpc: '2.0', error: { code: -32602 } });
    });

    it('should answer an unknown method with 404 -32601', async () => {
      const res = await modernPost('tools/frobnicate', {}, { token: 'alice-read' }).expect(404);
      expect(res.body).toMatchObject({ jsonrpc: '2.0', id: 'm1', error: { code: -32601 } });
    });

    it('should keep the bearer and per-tool scope checks in front: 401 without a token, 403 to step up', async () => {
      const anonymous = await modernPost('server/discover').expect(401);
      expect(anonymous.headers['www-authenticate']).toBe(
        `Bearer scope="read write", resource_metadata="${PRM}"`,
      );
      const denied = await modernPost(
        'tools/call',
        { name: 'notes_add', arguments: { text: 'no' } },
        { token: 'alice-read', name: 'notes_add' },
      ).expect(403);
      expect(denied.headers['www-authenticate']).toContain('error="insufficient_scope"');
      expect(denied.headers['www-authenticate']).toContain('scope="read write"');
    });
  });

  describe('origin, host and CORS', () => {
    it('should answer a preflight with 204 and the CORS headers, without a token', async () => {
      const res = await request(t.http)
        .options('/mcp')
        .set('Origin', ISSUER)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization, content-type, mcp-protocol-version')
        .expect(204);
      expect(res.headers['access-control-allow-origin']).toBe(ISSUER);
      expect(res.headers['access-control-allow-methods']).toBe('GET, POST, DELETE, OPTIONS');
      expect(res.headers['access-control-allow-headers']).toBe(
        'Authorization, Content-Type, Accept, Mcp-Protocol-Version, Mcp-Session-Id, Mcp-Method, Mcp-Name, Last-Event-ID',
      );
      expect(res.headers['access-control-expose-headers']).toBe(
        'WWW-Authenticate, Mcp-Session-Id, Mcp-Protocol-Version',
      );
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(res.headers['vary']).toContain('Origin');
    });

    it('should let a browser client read the challenge of a 401', async () => {
      const res = await mcpPost(rpc('initialize')).set('Origin', ISSUER).expect(401);
      expect(res.headers['access-control-allow-origin']).toBe(ISSUER);
      expect(res.headers['access-control-expose-headers']).toContain('WWW-Authenticate');
    });

    it('should refuse a foreign Origin with 403, even with a valid token', async () => {
      const res = await mcpPost(rpc('tools/list'), 'alice-read')
        .set('Origin', 'http://evil.example')
        .expect(403);
      expect(res.body).toEqual({ error: 'access_denied', error_description: 'origin not allowed' });
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      await request(t.http).options('/mcp').set('Origin', 'http://evil.example').expect(403);
    });

    it('should refuse a non-loopback Host while the issuer is loopback (DNS rebinding)', async () => {
      const res = await mcpPost(rpc('tools/list'), 'alice-read')
        .set('Host', 'evil.example')
        .expect(403);
      expect(res.body).toEqual({ error: 'access_denied', error_description: 'host not allowed' });
      await mcpPost(rpc('tools/list'), 'alice-read').set('Host', 'localhost').expect(200);
    });

    it('should accept every loopback spelling of the issuer (Host and Origin, same port) and nothing else', async () => {
      for (const host of ['localhost:8000', '127.0.0.1:8000', '[::1]:8000']) {
        const res = await mcpPost(rpc('tools/list'), 'alice-read')
          .set('Host', host)
          .set('Origin', `http://${host}`)
          .expect(200);
        expect(res.headers['access-control-allow-origin']).toBe(`http://${host}`);
      }
      for (const origin of [
        'http://localhost:8001',
        'https://localhost:8000',
        'http://127.0.0.2:8000',
        'http://localhost.evil.example:8000',
        'null',
      ]) {
        await mcpPost(rpc('tools/list'), 'alice-read').set('Origin', origin).expect(403);
      }
      for (const host of ['127.0.0.1.nip.io:8000', 'evil.example:8000', '[::2]:8000'])
        await mcpPost(rpc('tools/list'), 'alice-read').set('Host', host).expect(403);
    });
  });

  describe('REST mirror', () => {
    it('should list the tools with their required scopes to any valid token', async () => {
      await request(t.http).get('/tools').expect(401);
      const res = await request(t.http)
        .get('/tools')
        .set('Authorization', 'Bearer alice-read')
        .expect(200);
      expect(
        res.body.tools.map((tool: { name: string; requiredScopes: string[] }) => [
          tool.name,
          tool.requiredScopes,
        ]),
      ).toEqual([
        ['greet', ['read']],
        ['whoami', ['read']],
        ['notes_add', ['write']],
        ['notes_list', ['read']],
      ]);
    });

    it('should call greet', async () => {
      const res = await request(t.http)
        .post('/tools/greet')
        .set('Authorization', 'Bearer alice-read')
        .send({ name: 'Ada' })
        .expect(200);
      expect(res.body).toEqual({ content: [{ type: 'text', text: 'Hello, Ada!' }] });
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('should answer bad arguments with 400 invalid_request naming the argument', async () => {
      const res = await request(t.http)
        .post('/tools/greet')
        .set('Authorization', 'Bearer alice-read')
        .send({ name: '' })
        .expect(400);
      expect(res.body).toEqual({ error: 'invalid_request', error_description: 'invalid name' });
    });

    it('should answer an unknown tool with 404', async () => {
      const res = await request(t.http)
        .post('/tools/nope')
        .set('Authorization', 'Bearer alice-read')
        .send({});
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'not_found', error_description: 'unknown tool' });
    });

    it('should answer a tool the token may not use with 403 and the step-up challenge', async () => {
      const res = await request(t.http)
        .post('/tools/notes_add')
        .set('Authorization', 'Bearer alice-read')
        .send({ text: 'x' })
        .expect(403);
      expect(res.headers['www-authenticate']).toBe(
        `Bearer error="insufficient_scope", error_description="requires scope write", scope="read write", ` +
          `resource_metadata="${PRM}"`,
      );
    });
  });

  describe('audit', () => {
    it('should record every tool call with outcome, principal, tool and duration, never the arguments', async () => {
      // Its own calls, one per kind of outcome and transport: the test needs no other test's calls.
      await t.app.get(AuditService).flush();
      const before: { id: string }[] = await t.dataSource.query(
        `SELECT id FROM audit_events WHERE type = 'tool.called'`,
      );
      await request(t.http)
        .post('/tools/greet')
        .set('Authorization', 'Bearer bob-rw')
        .send({ name: 'Audit-Marker-Name' })
        .expect(200);
      const invalid = await mcpPost(
        rpc('tools/call', { name: 'greet', arguments: { name: 4242 } }),
        'alice-read',
      ).expect(200);
      expect(invalid.body.result.isError).toBe(true);
      await mcpPost(
        rpc('tools/call', { name: 'notes_add', arguments: { text: 'Audit-Marker-Note' } }),
        'alice-read',
      ).expect(403);
      await t.app.get(AuditService).flush();
      const seen = new Set(before.map((r) => r.id));
      const rows: {
        id: string;
        outcome: string;
        user_id: string;
        client_id: string;
        details: Record<string, unknown>;
      }[] = (
        await t.dataSource.query(
          `SELECT id, outcome, user_id, client_id, details FROM audit_events WHERE type = 'tool.called'`,
        )
      ).filter((r: { id: string }) => !seen.has(r.id));
      const strip = ({ id: _id, ...rest }: (typeof rows)[number]) => rest;
      expect(rows.map(strip)).toEqual(
        expect.arrayContaining([
          {
            outcome: 'success',
            user_id: BOB,
            client_id: 'e2e-client',
            details: { tool: 'greet', transport: 'rest', durationMs: expect.any(Number) },
          },
          expect.objectContaining({
            outcome: 'failure',
            user_id: ALICE,
            details: expect.objectContaining({ tool: 'greet', transport: 'mcp', reason: 'invalid_arguments' }),
          }),
          expect.objectContaining({
            outcome: 'failure',
            user_id: ALICE,
            details: expect.objectContaining({ tool: 'notes_add', transport: 'mcp', reason: 'insufficient_scope' }),
          }),
        ]),
      );
      expect(rows).toHaveLength(3);
      expect(JSON.stringify(rows)).not.toMatch(/Audit-Marker-Name|Audit-Marker-Note|4242/);
    });
  });
});
