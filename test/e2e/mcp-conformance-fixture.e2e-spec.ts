import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { request as httpRequest } from 'node:http';
import { ConformanceFixture, startConformanceFixture } from '../conformance/fixture-server';

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'raw', version: '1' },
  },
};

/** A POST with full control over Host (fetch does not allow setting it). */
function post(
  port: number,
  headers: Record<string, string>,
  body: unknown,
): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/mcp',
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/**
 * The test-only conformance fixture (test/conformance/fixture-server.ts, its own HTTP server outside
 * src/): an unauthenticated, loopback-only MCP endpoint carrying the conformance suite's reference
 * tools, resources and prompts, stateful on the 2025-11-25 wire and stateless on 2026-07-28.
 * `npm run conformance` runs the whole suite against it; this checks both eras and the guards.
 */
describe('MCP conformance fixture (e2e)', () => {
  let fixture: ConformanceFixture;
  let port: number;
  let url: URL;

  beforeAll(async () => {
    fixture = await startConformanceFixture();
    url = new URL(fixture.url);
    port = Number(url.port);
  });
  afterAll(() => fixture.close());

  it('should serve the reference fixture without credentials, including server-to-client sampling', async () => {
    const client = new Client(
      { name: 'fixture-e2e', version: '1.0.0' },
      { capabilities: { sampling: {} } },
    );
    client.setRequestHandler(CreateMessageRequestSchema, async (req) => ({
      role: 'assistant',
      model: 'test-model',
      content: {
        type: 'text',
        text: `echo: ${(req.params.messages[0].content as { text: string }).text}`,
      },
    }));
    const transport = new StreamableHTTPClientTransport(url);
    await client.connect(transport);
    expect(transport.sessionId).toMatch(/^[\x21-\x7E]+$/);
    expect(client.getServerVersion()).toEqual({
      name: 'mcp-conformance-test-server',
      version: '1.0.0',
    });

    const tools = (await client.listTools()).tools.map((tool) => tool.name);
    expect(tools).toEqual(
      expect.arrayContaining([
        'test_simple_text',
        'test_sampling',
        'test_elicitation',
        'json_schema_2020_12_tool',
      ]),
    );
    expect(await client.callTool({ name: 'test_simple_text', arguments: {} })).toEqual({
      content: [{ type: 'text', text: 'This is a simple text response for testing.' }],
    });
    expect(await client.callTool({ name: 'test_sampling', arguments: { prompt: 'hi' } })).toEqual({
      content: [{ type: 'text', text: 'LLM response: echo: hi' }],
    });
    expect(await client.callTool({ name: 'test_error_handling', arguments: {} })).toMatchObject({
      isError: true,
    });
    expect(
      (await client.readResource({ uri: 'test://template/42/data' })).contents[0],
    ).toMatchObject({
      text: JSON.stringify({ id: '42', templateTest: true, data: 'Data for ID: 42' }),
    });
    expect(
      (
        await client.getPrompt({
          name: 'test_prompt_with_arguments',
          arguments: { arg1: 'a', arg2: 'b' },
        })
      ).messages,
    ).toEqual([
      {
        role: 'user',
        content: { type: 'text', text: "Prompt with arguments: arg1='a', arg2='b'" },
      },
    ]);

    // DELETE ends the session; the id is then unknown (404).
    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    await client.close();
    expect(
      (await post(port, { 'Mcp-Session-Id': sessionId }, { jsonrpc: '2.0', id: 2, method: 'ping' }))
        .status,
    ).toBe(404);
  });

  it('should refuse rebound hosts and foreign origins (DNS-rebinding protection)', async () => {
    expect(
      (
        await post(
          port,
          { Host: 'evil.example.com', Origin: 'http://evil.example.com' },
          INITIALIZE,
        )
      ).status,
    ).toBe(403);
    expect((await post(port, { Host: 'evil.example.com' }, INITIALIZE)).status).toBe(403);
    expect((await post(port, { Origin: 'https://evil.example.com' }, INITIALIZE)).status).toBe(403);
    const ok = await post(
      port,
      { Host: `localhost:${port}`, Origin: `http://localhost:${port}` },
      INITIALIZE,
    );
    expect(ok.status).toBe(200);
    expect(ok.headers['mcp-session-id']).toEqual(expect.any(String));
  });

  it('should ask for a session on anything but initialize, and know only the sessions it issued', async () => {
    expect((await post(port, {}, { jsonrpc: '2.0', id: 3, method: 'tools/list' })).status).toBe(
      400,
    );
    expect(
      (
        await post(
          port,
          { 'Mcp-Session-Id': 'never-issued' },
          { jsonrpc: '2.0', id: 4, method: 'tools/list' },
        )
      ).status,
    ).toBe(404);
  });

  it('should serve the 2026-07-28 wire statelessly on the same URL', async () => {
    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
      'io.modelcontextprotocol/clientCapabilities': {},
    };
    const call = (method: string, params: Record<string, unknown>, name?: string) =>
      fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          'MCP-Protocol-Version': '2026-07-28',
          'Mcp-Method': method,
          ...(name ? { 'Mcp-Name': name } : {}),
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { ...params, _meta: meta } }),
      });
    const discover = await call('server/discover', {});
    expect(discover.status).toBe(200);
    expect(discover.headers.get('mcp-session-id')).toBeNull();
    expect(((await discover.json()) as any).result.supportedVersions).toContain('2026-07-28');
    const simple = await call(
      'tools/call',
      { name: 'test_simple_text', arguments: {} },
      'test_simple_text',
    );
    expect(((await simple.json()) as any).result).toMatchObject({
      resultType: 'complete',
      content: [{ type: 'text', text: 'This is a simple text response for testing.' }],
    });
    const missing = await call('resources/read', { uri: 'test://nope' }, 'test://nope');
    expect(((await missing.json()) as any).error).toMatchObject({
      code: -32602,
      data: { uri: 'test://nope' },
    });
  });
});
