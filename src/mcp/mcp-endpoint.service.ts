import { Injectable } from '@nestjs/common';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Request, Response } from 'express';
import type { Principal } from 'src/bearer/principal.decorator';
import { discoverRequestId, JSON_RPC_METHOD_NOT_FOUND, jsonRpcError } from './json-rpc';
import { McpServerFactory } from './mcp-server.factory';
import { toolCallOrigin } from './tool-call-origin';

/**
 * Streamable HTTP (2025-11-25 wire) in stateless mode: a fresh McpServer and transport per POST,
 * JSON responses, no session id (docs/architecture.md §6: no session affinity; the bearer token is
 * re-validated on every request). The SDK checks Accept, Content-Type and MCP-Protocol-Version.
 */
@Injectable()
export class McpEndpoint {
  constructor(private readonly servers: McpServerFactory) {}

  async handlePost(req: Request, res: Response, principal: Principal): Promise<void> {
    // The global body parser has already read the body; the SDK gets it parsed.
    const body: unknown = req.body;
    const discoverId = discoverRequestId(body);
    if (discoverId !== undefined) {
      res.status(404).json(jsonRpcError(discoverId, JSON_RPC_METHOD_NOT_FOUND, 'Method not found'));
      return;
    }
    const server = this.servers.create(principal, toolCallOrigin(req, 'mcp'));
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }
}
