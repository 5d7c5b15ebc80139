import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AccessDenied } from 'src/oauth/errors/oauth-errors';
import { McpRequestPolicy } from './mcp-request-policy';

/** CORS for browser-based MCP clients (docs/mcp.md §1 item 32, §5.3). No credentials: tokens are headers. */
export const MCP_CORS = {
  allowMethods: 'GET, POST, DELETE, OPTIONS',
  allowHeaders:
    'Authorization, Content-Type, Accept, Mcp-Protocol-Version, Mcp-Session-Id, Mcp-Method, Mcp-Name, Last-Event-ID',
  // Without WWW-Authenticate here a browser client reads the challenge as null and never starts OAuth.
  exposeHeaders: 'WWW-Authenticate, Mcp-Session-Id, Mcp-Protocol-Version',
  maxAgeSeconds: '600',
} as const;

/**
 * Runs before routing and the bearer guard on the MCP endpoint: refuses foreign origins and
 * rebound hosts (403), adds CORS headers, and answers preflights (204, no authentication).
 */
@Injectable()
export class McpHttpMiddleware implements NestMiddleware {
  constructor(private readonly policy: McpRequestPolicy) {}

  use(req: Request, res: Response, next: NextFunction): void {
    if (!this.policy.isHostAllowed(req.headers.host)) {
      throw AccessDenied('host not allowed');
    }
    const origin = req.headers.origin;
    if (!this.policy.isOriginAllowed(origin)) {
      throw AccessDenied('origin not allowed');
    }
    if (origin !== undefined) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', MCP_CORS.exposeHeaders);
    }
    res.vary('Origin');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', MCP_CORS.allowMethods);
      res.setHeader('Access-Control-Allow-Headers', MCP_CORS.allowHeaders);
      res.setHeader('Access-Control-Max-Age', MCP_CORS.maxAgeSeconds);
      res.setHeader('Allow', 'POST, OPTIONS');
      res.status(204).end();
      return;
    }
    next();
  }
}
