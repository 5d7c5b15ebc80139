import { toNodeHandler } from '@modelcontextprotocol/node';
import { classifyInboundRequest, createMcpHandler } from '@modelcontextprotocol/server';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConformanceSessions } from './legacy-sessions';
import { createModernConformanceServer } from './modern-fixture.server';

/**
 * The MCP conformance suite's reference fixture as its own small HTTP server, outside src/ so it is
 * never part of the production build: `conformance server` cannot send a token, so it needs an
 * unauthenticated endpoint, and that must never ship. scripts/conformance.mjs starts it:
 *
 *   node -r ./scripts/register-ts.cjs test/conformance/fixture-server.ts [port]
 *
 * POST /mcp is routed per request by the SDK's era decision (classifyInboundRequest): 2026-07-28
 * requests to the v2 SDK's createMcpHandler (stateless), 2025-era ones to stateful v1 sessions
 * (initialize, Mcp-Session-Id, GET stream, DELETE). Only loopback Host names and, when present,
 * loopback Origins are served (conformance `dns-rebinding-protection`); everything else is a 403.
 */

const LOOPBACK_HOSTNAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);
const MAX_BODY_BYTES = 1 << 20;
const PATH = '/mcp';

function loopbackHostname(value: string | undefined, withScheme: boolean): boolean {
  if (!value) return false;
  try {
    const url = new URL(withScheme ? value : `http://${value}`);
    if (withScheme && url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    return LOOPBACK_HOSTNAMES.has(url.hostname);
  } catch {
    return false;
  }
}

const jsonRpcError = (res: ServerResponse, status: number, code: number, message: string) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } }));
};

async function readJson(req: IncomingMessage): Promise<{ body?: unknown; tooLarge?: true }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return { tooLarge: true };
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return { body: text ? JSON.parse(text) : undefined };
  } catch {
    return { body: undefined };
  }
}

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

export interface ConformanceFixture {
  url: string;
  close(): Promise<void>;
}

export async function startConformanceFixture(
  port = 0,
  host = '127.0.0.1',
): Promise<ConformanceFixture> {
  const sessions = new ConformanceSessions();
  const modern = createMcpHandler(createModernConformanceServer, { legacy: 'reject' });
  const modernNode = toNodeHandler(modern);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://fixture').pathname.replace(/\/$/, '');
    if (path !== PATH) return jsonRpcError(res, 404, -32000, 'Not found');
    const origin = header(req, 'origin');
    if (
      !loopbackHostname(req.headers.host, false) ||
      (origin !== undefined && !loopbackHostname(origin, true))
    )
      return jsonRpcError(res, 403, -32000, 'Forbidden: host or origin not allowed');

    const sessionHeader = header(req, 'mcp-session-id');
    let body: unknown;
    if (req.method === 'POST') {
      const read = await readJson(req);
      if (read.tooLarge) return jsonRpcError(res, 413, -32000, 'Payload too large');
      body = read.body;
      const era =
        body === undefined
          ? 'legacy'
          : classifyInboundRequest({
              httpMethod: 'POST',
              protocolVersionHeader: header(req, 'mcp-protocol-version'),
              mcpMethodHeader: header(req, 'mcp-method'),
              mcpNameHeader: header(req, 'mcp-name'),
              body,
            }).kind;
      if (era !== 'legacy') return modernNode(req, res, body);
      const isInitialize =
        typeof body === 'object' &&
        body !== null &&
        (body as { method?: unknown }).method === 'initialize';
      if (sessionHeader === undefined && isInitialize) {
        const transport = await sessions.open();
        await transport.handleRequest(req, res, body);
        await sessions.discard(transport);
        return;
      }
    } else if (req.method !== 'GET' && req.method !== 'DELETE') {
      res.setHeader('Allow', 'GET, POST, DELETE');
      return jsonRpcError(res, 405, -32000, 'Method not allowed.');
    }
    if (sessionHeader === undefined)
      return jsonRpcError(res, 400, -32000, 'Bad Request: missing session ID');
    const transport = sessions.get(sessionHeader);
    if (!transport) return jsonRpcError(res, 404, -32001, 'Session not found');
    await transport.handleRequest(req, res, req.method === 'POST' ? body : undefined);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) jsonRpcError(res, 500, -32603, 'Internal server error');
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${bound}${PATH}`,
    close: async () => {
      await sessions.closeAll();
      await modern.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

if (require.main === module) {
  const port = Number(process.argv[2] ?? process.env.PORT ?? 0);
  startConformanceFixture(port).then(
    (fixture) => {
      process.stdout.write(`conformance fixture ready at ${fixture.url}\n`);
      const stop = () => void fixture.close().then(() => process.exit(0));
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    },
    (err: Error) => {
      process.stderr.write(`conformance fixture failed to start: ${err.message}\n`);
      process.exit(1);
    },
  );
}
