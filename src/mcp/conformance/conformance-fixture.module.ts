import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { AppConfig } from 'src/config/app-config';
import {
  CONFORMANCE_FIXTURE_ROUTE,
  ConformanceFixtureMiddleware,
} from './conformance-fixture.middleware';
import { ConformanceSessions } from './conformance-sessions';

/**
 * The MCP conformance suite's reference fixture at /conformance/mcp, without authentication
 * (`conformance server` cannot send a token; docs/mcp.md §4.3). Mounted only when
 * MCP_CONFORMANCE_FIXTURE=true, which validateEnv refuses in production; otherwise the path is
 * simply not routed (404). Loopback Host only.
 */
@Module({ providers: [ConformanceSessions] })
export class McpConformanceFixtureModule implements NestModule {
  constructor(private readonly config: AppConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    if (!this.config.mcp.conformanceFixture || this.config.isProduction) return;
    consumer
      .apply(ConformanceFixtureMiddleware)
      .forRoutes({ path: CONFORMANCE_FIXTURE_ROUTE, method: RequestMethod.ALL });
  }
}
