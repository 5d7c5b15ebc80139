import { Inject, Injectable } from '@nestjs/common';
import {
  type CallToolResult,
  type McpRequestContext,
  ProtocolError,
  ProtocolErrorCode,
  Server,
} from '@modelcontextprotocol/server';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv';
import type { Principal } from 'src/bearer/principal.decorator';
import { ToolRegistry } from './tool-registry';
import { ToolCallOrigin, ToolRunner } from './tool-runner.service';
import { isDatabaseUnavailable } from 'src/database/database-errors';

export const MCP_SERVER_INFO = {
  name: 'mcp-oauth-server',
  title: 'MCP OAuth server',
  version: '0.1.0',
};

/** What McpEndpoint hands the SDK as `authInfo.extra` for one request. */
export interface McpCaller {
  principal: Principal;
  origin: ToolCallOrigin;
}

const toolError = (text: string): CallToolResult => ({
  content: [{ type: 'text', text }],
  isError: true,
});

/**
 * The SDK's per-request server factory (`createMcpHandler`; README "Connecting MCP clients"): one low-level v2
 * `Server` for either protocol era, with tools/list and tools/call answered from ToolRegistry and
 * ToolRunner, exactly as the REST mirror does, so the tools are defined once for 2025-11-25,
 * 2026-07-28 and /tools. The caller (already authenticated by BearerTokenGuard) comes with each
 * request as `authInfo.extra`, so one instance may serve many callers; nothing here reads a header.
 */
@Injectable()
export class McpServerFactory {
  // Building an Ajv instance per request costs a quarter of a tools/call.
  private readonly jsonSchemaValidator = new AjvJsonSchemaValidator();

  constructor(
    @Inject(ToolRegistry) private readonly registry: ToolRegistry,
    private readonly runner: ToolRunner,
  ) {}

  /** One server; it serves whichever caller each request's `authInfo` names (never a fixed one). */
  readonly create = (_context?: McpRequestContext): Server => {
    const server = new Server(MCP_SERVER_INFO, {
      capabilities: { tools: { listChanged: false } },
      jsonSchemaValidator: this.jsonSchemaValidator,
    });
    server.setRequestHandler('tools/list', () => ({ tools: [...this.registry.list()] }));
    server.setRequestHandler('tools/call', async (request, ctx) => {
      const caller = ctx.http?.authInfo?.extra as McpCaller | undefined;
      // The endpoint never dispatches without a caller; refuse rather than run anonymously.
      if (!caller) throw new ProtocolError(ProtocolErrorCode.InternalError, 'no caller');
      const { name, arguments: args } = request.params;
      let outcome;
      try {
        outcome = await this.runner.call(name, args, caller.principal, caller.origin);
      } catch (err) {
        // Already logged and audited; the client learns nothing about the internals, except
        // that an unavailable database is worth a retry (README "Operations").
        if (isDatabaseUnavailable(err)) return toolError('temporarily unavailable: retry later');
        return toolError('tool failed');
      }
      switch (outcome.status) {
        case 'ok':
          return outcome.result;
        case 'unknown_tool':
          throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'unknown tool');
        case 'insufficient_scope':
          return toolError(`insufficient scope: requires ${outcome.required.join(' ')}`);
        case 'invalid_arguments':
          return toolError(`invalid arguments: ${outcome.fields.join(', ')}`);
      }
    });
    return server;
  };
}
