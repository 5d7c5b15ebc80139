import { Inject, Injectable, Logger } from '@nestjs/common';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import type { Principal } from 'src/bearer/principal.decorator';
import { ToolRegistry } from './tool-registry';
import { ToolCallOrigin, ToolRunner } from './tool-runner.service';
import { isDatabaseUnavailable } from 'src/database/database-errors';

export const MCP_SERVER_INFO = {
  name: 'mcp-oauth-server',
  title: 'MCP OAuth server',
  version: '0.1.0',
};

const toolError = (text: string): CallToolResult => ({
  content: [{ type: 'text', text }],
  isError: true,
});

/**
 * Builds the McpServer for one stateless request (the SDK forbids reusing one across requests),
 * bound to the caller. Tool handlers are set on the underlying Server rather than through
 * `registerTool`, so that listing, validation and audit go through ToolRegistry and ToolRunner,
 * exactly as for the REST mirror.
 */
@Injectable()
export class McpServerFactory {
  private readonly logger = new Logger('Mcp');
  // Building an Ajv instance per request costs a quarter of a tools/call (ARCHITECTURE.md §5).
  private readonly jsonSchemaValidator = new AjvJsonSchemaValidator();

  constructor(
    @Inject(ToolRegistry) private readonly registry: ToolRegistry,
    private readonly runner: ToolRunner,
  ) {}

  create(principal: Principal, origin: ToolCallOrigin): McpServer {
    const mcp = new McpServer(MCP_SERVER_INFO, { jsonSchemaValidator: this.jsonSchemaValidator });
    const server = mcp.server;
    server.registerCapabilities({ tools: { listChanged: false } });
    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [...this.registry.list()] }));
    server.setRequestHandler(CallToolRequestSchema, async (request) => {
      const { name, arguments: args } = request.params;
      let outcome;
      try {
        outcome = await this.runner.call(name, args, principal, origin);
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
          throw new McpError(ErrorCode.InvalidParams, 'unknown tool');
        case 'insufficient_scope':
          return toolError(`insufficient scope: requires ${outcome.required.join(' ')}`);
        case 'invalid_arguments':
          return toolError(`invalid arguments: ${outcome.fields.join(', ')}`);
      }
    });
    server.onerror = (error) =>
      this.logger.debug({ msg: 'mcp transport error', error: error.message });
    return mcp;
  }
}
