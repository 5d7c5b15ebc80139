import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BearerModule } from 'src/bearer/bearer.module';
import { AppConfig } from 'src/config/app-config';
import { McpController, MCP_ROUTE } from './mcp.controller';
import { McpEndpoint } from './mcp-endpoint.service';
import { McpHttpMiddleware } from './mcp-http.middleware';
import { McpRequestPolicy } from './mcp-request-policy';
import { McpServerFactory } from './mcp-server.factory';
import { Note } from './note.entity';
import { NotesRepository } from './notes.repository';
import { RestToolCalls } from './rest-tool-calls.service';
import { ToolRegistry } from './tool-registry';
import { ToolRunner } from './tool-runner.service';
import { ToolScopeGuard } from './tool-scope.guard';
import { TOOL_DEFINITIONS } from './tools';
import { ToolsController } from './tools.controller';

/** Browser origins besides the issuer's own that may call /mcp: MCP_ALLOWED_ORIGINS (empty: same-origin only). */
export const MCP_ALLOWED_ORIGINS = Symbol('MCP_ALLOWED_ORIGINS');

/** The MCP resource server: Streamable HTTP at /mcp, the tools, and their REST mirror at /tools. */
@Module({
  imports: [TypeOrmModule.forFeature([Note]), BearerModule],
  controllers: [McpController, ToolsController],
  providers: [
    NotesRepository,
    { provide: ToolRegistry, useFactory: () => new ToolRegistry(TOOL_DEFINITIONS) },
    ToolRunner,
    ToolScopeGuard,
    McpServerFactory,
    McpEndpoint,
    RestToolCalls,
    {
      provide: MCP_ALLOWED_ORIGINS,
      inject: [AppConfig],
      useFactory: (config: AppConfig): string[] => config.mcp.allowedOrigins,
    },
    {
      provide: McpRequestPolicy,
      inject: [AppConfig, MCP_ALLOWED_ORIGINS],
      useFactory: (config: AppConfig, origins: string[]) =>
        new McpRequestPolicy(config.issuer, origins),
    },
  ],
})
export class McpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(McpHttpMiddleware).forRoutes({ path: MCP_ROUTE, method: RequestMethod.ALL });
  }
}
