import { Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { JSON_RPC_SERVER_ERROR, jsonRpcError } from '../json-rpc';
import { ConformanceSessions } from './conformance-sessions';

/** The fixture's path; docs/mcp.md §4.3. */
export const CONFORMANCE_FIXTURE_ROUTE = 'conformance/mcp';

const LOOPBACK_HOSTNAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

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

const isInitialize = (body: unknown): boolean =>
  typeof body === 'object' &&
  body !== null &&
  (body as { method?: unknown }).method === 'initialize';

/**
 * The unauthenticated Streamable HTTP endpoint of the conformance fixture (stateful 2025-11-25 wire),
 * answered entirely here so that neither the bearer guard nor any controller is involved. Only
 * loopback `Host` names and, when present, loopback `Origin`s are served (DNS-rebinding protection,
 * conformance `dns-rebinding-protection`); everything else is a 403.
 */
@Injectable()
export class ConformanceFixtureMiddleware implements NestMiddleware {
  private readonly logger = new Logger('McpConformanceFixture');

  constructor(private readonly sessions: ConformanceSessions) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    // Whether Nest mounts this with use() (prefix, path stripped) or all(): only the exact path is ours.
    if (`${req.baseUrl}${req.path}`.replace(/\/$/, '') !== `/${CONFORMANCE_FIXTURE_ROUTE}`)
      return next();
    try {
      await this.handle(req, res);
    } catch (err) {
      this.logger.debug({
        msg: 'conformance fixture request failed',
        error: (err as Error).message,
      });
      if (!res.headersSent)
        res.status(500).json(jsonRpcError(null, -32603, 'Internal server error'));
    }
  }

  private async handle(req: Request, res: Response): Promise<void> {
    const origin = req.headers.origin;
    if (
      !loopbackHostname(req.headers.host, false) ||
      (origin !== undefined && !loopbackHostname(origin, true))
    ) {
      res
        .status(403)
        .json(jsonRpcError(null, JSON_RPC_SERVER_ERROR, 'Forbidden: host or origin not allowed'));
      return;
    }
    const header = req.headers['mcp-session-id'];
    const sessionId = typeof header === 'string' ? header : undefined;

    if (req.method === 'POST') {
      const body: unknown = req.body;
      if (sessionId === undefined && isInitialize(body)) {
        const transport = await this.sessions.open();
        await transport.handleRequest(req, res, body);
        await this.sessions.discard(transport);
        return;
      }
    } else if (req.method !== 'GET' && req.method !== 'DELETE') {
      res.setHeader('Allow', 'GET, POST, DELETE');
      res.status(405).json(jsonRpcError(null, JSON_RPC_SERVER_ERROR, 'Method not allowed.'));
      return;
    }

    if (sessionId === undefined) {
      res
        .status(400)
        .json(jsonRpcError(null, JSON_RPC_SERVER_ERROR, 'Bad Request: missing session ID'));
      return;
    }
    const transport = this.sessions.get(sessionId);
    if (!transport) {
      res.status(404).json(jsonRpcError(null, -32001, 'Session not found'));
      return;
    }
    await transport.handleRequest(req, res, req.method === 'POST' ? req.body : undefined);
  }
}
