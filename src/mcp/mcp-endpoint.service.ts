import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import {
  type AuthInfo,
  classifyInboundRequest,
  createMcpHandler,
  type JSONRPCRequest,
  type McpHttpHandler,
  type Server,
  PROTOCOL_VERSION_META_KEY,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/server';
import {
  type NodeMcpRequestHandler,
  NodeStreamableHTTPServerTransport,
  toNodeHandler,
} from '@modelcontextprotocol/node';
import type { Request, Response } from 'express';
import type { Principal } from 'src/bearer/principal.decorator';
import { McpCaller, McpServerFactory } from './mcp-server.factory';
import { SharedServerTransport } from './shared-server-transport';
import { toolCallOrigin } from './tool-call-origin';

/** 2025-era methods answered by the shared server: stateless, one JSON response, nothing pushed. */
const SHARED_METHODS: ReadonlySet<string> = new Set(['tools/call', 'tools/list', 'ping']);
const LEGACY_VERSIONS: ReadonlySet<string> = new Set(SUPPORTED_PROTOCOL_VERSIONS);

const header = (req: Request, name: string): string | undefined => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * Streamable HTTP at /mcp for both protocol eras on one URL, per request and statelessly
 * (README "Connecting MCP clients"). Each POST is classified by the SDK's own era decision
 * (`classifyInboundRequest`, the step `createMcpHandler` and `isLegacyRequest` run):
 * - 2026-07-28 (a per-request `_meta` envelope claim): the SDK's `createMcpHandler` in strict
 *   modern mode (server/discover, the `MCP-Protocol-Version`/`Mcp-Method`/`Mcp-Name` headers,
 *   `resultType`, list `ttlMs`/`cacheScope`, 400 -32020 on a header/body mismatch, 400 -32022 with
 *   the supported list, 404 -32601 for an unknown method);
 * - 2025-era (initialize, no claim): a stateless Streamable HTTP transport answering JSON, as
 *   before (no session id; the bearer token is re-validated on every request).
 * Both use the same server factory. The hot 2025-era requests (a well-formed single tools/call,
 * tools/list or ping) skip building a server and a transport per request: one long-lived server
 * answers them through SharedServerTransport, with each request's caller as its authInfo; every
 * other 2025-era request (initialize, notifications, batches, anything the SDK transport must
 * refuse with its own status) gets a fresh server and the SDK's stateless transport.
 * Host/Origin (McpHttpMiddleware), the bearer token
 * (BearerTokenGuard) and per-tool scopes (ToolScopeGuard) are checked before this runs; the SDK
 * validates none of them.
 */
@Injectable()
export class McpEndpoint implements OnModuleDestroy {
  private readonly logger = new Logger('Mcp');
  private readonly modern: McpHttpHandler;
  private readonly modernNode: NodeMcpRequestHandler;
  private readonly shared: Server;
  private readonly sharedTransport = new SharedServerTransport();
  private readonly sharedReady: Promise<void>;

  constructor(private readonly servers: McpServerFactory) {
    const onerror = (error: Error) =>
      this.logger.debug({ msg: 'mcp request refused or failed', error: error.message });
    // JSON answers unless a tool emits progress before its result (then SSE).
    this.modern = createMcpHandler(servers.create, { legacy: 'reject', onerror });
    this.modernNode = toNodeHandler(this.modern, { onerror });
    this.shared = servers.create();
    this.shared.onerror = onerror;
    this.sharedReady = this.shared.connect(this.sharedTransport);
  }

  async handlePost(req: Request, res: Response, principal: Principal): Promise<void> {
    const caller: McpCaller = { principal, origin: toolCallOrigin(req, 'mcp') };
    const auth: AuthInfo = {
      // The SDK's AuthInfo wants the token; nothing here reads it.
      token: '',
      clientId: principal.clientId,
      scopes: principal.scope,
      expiresAt: principal.expiresAt,
      extra: caller as unknown as Record<string, unknown>,
    };
    // The global body parser has already read the body; the SDK gets it parsed.
    const body: unknown = req.body;
    const node = Object.assign(req, { auth });
    // A hot request without an envelope claim is 2025-era by the SDK's own rule: skip classifying it.
    if (isSharedRequest(req, body)) {
      await this.sharedReady;
      const response = await this.sharedTransport.exchange(body, auth);
      res.status(200).json(response);
      return;
    }
    if (!isLegacy(req, body)) return this.modernNode(node, res, body);

    const server = this.servers.create({ era: 'legacy', authInfo: auth });
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(node, res, body);
  }

  async onModuleDestroy(): Promise<void> {
    await this.shared.close();
    await this.modern.close();
  }
}

/** The SDK's era decision for a parsed POST body; no JSON body at all is 2025-era traffic. */
function isLegacy(req: Request, body: unknown): boolean {
  if (body === undefined) return true;
  const outcome = classifyInboundRequest({
    httpMethod: 'POST',
    protocolVersionHeader: header(req, 'mcp-protocol-version'),
    mcpMethodHeader: header(req, 'mcp-method'),
    mcpNameHeader: header(req, 'mcp-name'),
    body,
  });
  return outcome.kind === 'legacy';
}

/**
 * A 2025-era request the shared server may answer: one JSON-RPC request to a method in
 * SHARED_METHODS, with the Accept, Content-Type and MCP-Protocol-Version the SDK transport would
 * accept (anything else goes to that transport, which answers with its own 4xx), and no
 * 2026-07-28 envelope claim (`_meta` protocol version), which is what makes it 2025-era.
 */
function isSharedRequest(req: Request, body: unknown): body is JSONRPCRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const message = body as Partial<JSONRPCRequest>;
  if (message.jsonrpc !== '2.0' || typeof message.method !== 'string') return false;
  if (!SHARED_METHODS.has(message.method)) return false;
  if (typeof message.id !== 'string' && typeof message.id !== 'number') return false;
  if (
    message.params !== undefined &&
    (typeof message.params !== 'object' || message.params === null)
  )
    return false;
  const accept = header(req, 'accept') ?? '';
  if (!accept.includes('application/json') || !accept.includes('text/event-stream')) return false;
  if (!(header(req, 'content-type') ?? '').toLowerCase().startsWith('application/json'))
    return false;
  const version = header(req, 'mcp-protocol-version');
  if (version !== undefined && !LEGACY_VERSIONS.has(version)) return false;
  // No per-request envelope claim: classifyInboundRequest would route it to the 2025-era leg.
  const meta = (message.params as { _meta?: unknown } | undefined)?._meta;
  return (
    meta === undefined ||
    (typeof meta === 'object' && meta !== null && !(PROTOCOL_VERSION_META_KEY in meta))
  );
}
