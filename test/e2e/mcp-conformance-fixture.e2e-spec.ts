import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { request as httpRequest } from 'node:http';
import { createTestApp, TestApp } from './create-test-app';

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
        path: '/conformance/mcp',
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
 * The test-only conformance fixture (MCP_CONFORMANCE_FIXTURE=true): an unauthenticated, loopback-only,
 * stateful MCP endpoint carrying the conformance suite's reference tools, resources and prompts
 * (MCP.md §3.3). `npm run conformance` runs the whole suite against it; this checks the mounting and
 * the guards around it with the SDK client.
 */
describe('MCP conformance fixture (e2e)', () => {
  let t: TestApp;
  let port: number;
  let url: URL;

  beforeAll(async () => {
    t = await createTestApp({ listen: true, env: { MCP_CONFORMANCE_FIXTURE: 'true' } });
    port = t.port!;
    url = new URL(`http://127.0.0.1:${port}/conformance/mcp`);
  });
  afterAll(() => t.close());

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

  it('should leave the real MCP endpoint protected', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/mcp`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify(INITIALIZE),
    });
    expect(res.status).toBe(401);
  });
});
