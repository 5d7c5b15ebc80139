import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Param,
  Post,
  Req,
  UseGuards,
} from '@nestjs/common';
import type { Request } from 'express';
import { Principal } from 'src/bearer/principal.decorator';
import { RestToolCalls } from './rest-tool-calls.service';
import { toolCallOrigin } from './tool-call-origin';
import { ToolRegistry } from './tool-registry';
import { ToolScopeGuard } from './tool-scope.guard';
import type { ToolResult } from './tools/tool-definition';

export interface ToolListing {
  name: string;
  title?: string;
  description?: string;
  inputSchema: object;
  requiredScopes: string[];
}

/** REST mirror of the MCP tools: the same registry, scopes, validation and audit. */
@Controller('tools')
export class ToolsController {
  constructor(
    private readonly registry: ToolRegistry,
    private readonly calls: RestToolCalls,
  ) {}

  @Get()
  list(): { tools: ToolListing[] } {
    return {
      tools: this.registry.list().map((t) => ({
        name: t.name,
        title: t.title,
        description: t.description,
        inputSchema: t.inputSchema,
        requiredScopes: t._meta.securitySchemes[0]?.scopes ?? [],
      })),
    };
  }

  @Post(':name')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @UseGuards(ToolScopeGuard)
  call(
    @Param('name') name: string,
    @Body() args: unknown,
    @Req() req: Request,
    @Principal() principal: Principal,
  ): Promise<ToolResult> {
    return this.calls.call(name, args, principal, toolCallOrigin(req, 'rest'));
  }
}
