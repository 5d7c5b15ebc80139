import { Controller, Delete, Get, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Principal } from 'src/bearer/principal.decorator';
import { JSON_RPC_SERVER_ERROR, jsonRpcError } from './json-rpc';
import { McpEndpoint } from './mcp-endpoint.service';
import { ToolScopeGuard } from './tool-scope.guard';

/** The MCP endpoint path (the PRM `resource` is `<issuer>/mcp`). */
export const MCP_ROUTE = 'mcp';

@Controller(MCP_ROUTE)
export class McpController {
  constructor(private readonly endpoint: McpEndpoint) {}

  @Post()
  @UseGuards(ToolScopeGuard)
  post(
    @Req() req: Request,
    @Res() res: Response,
    @Principal() principal: Principal,
  ): Promise<void> {
    return this.endpoint.handlePost(req, res, principal);
  }

  /** Stateless server: no standalone SSE stream (Streamable HTTP allows 405). */
  @Get()
  get(@Res() res: Response): void {
    methodNotAllowed(res);
  }

  /** Stateless server: no session to terminate. */
  @Delete()
  delete(@Res() res: Response): void {
    methodNotAllowed(res);
  }
}

function methodNotAllowed(res: Response): void {
  res.setHeader('Allow', 'POST, OPTIONS');
  res.status(405).json(jsonRpcError(null, JSON_RPC_SERVER_ERROR, 'Method not allowed.'));
}
