import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import pinoHttp from 'pino-http';
import type { JsonLogger } from 'src/common/json-logger';
import { redactString } from 'src/common/redact';
import { actorOf, errorCodeOf, routeOf } from './request-facts';

const MAX_FIELD = 256;

function clean(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return redactString(value.length > MAX_FIELD ? value.slice(0, MAX_FIELD) : value);
}

/** The one access-log line of a finished request: no header, query, body or cookie ever. */
function accessEntry(req: Request, res: Response): Record<string, unknown> {
  const route = routeOf(req);
  const { clientId, subject } = actorOf(req, res, route);
  const entry: Record<string, unknown> = {
    method: req.method,
    route,
    // The path without its query string (a query may carry a code or a token); a path that is the
    // route pattern itself (no parameters) needs no redaction.
    path: req.path === route ? route : clean(req.path),
    status: res.statusCode,
  };
  const error = errorCodeOf(res);
  if (error) entry.error = error;
  if (clientId) entry.clientId = clean(clientId);
  if (subject) entry.subject = clean(subject);
  return entry;
}

/**
 * One JSON line per request through pino-http (README: Logs): request id, method, route, path,
 * status, duration, and the client and subject where known. pino-http's request and response
 * serializers (headers, query) are replaced; `accessEntry` picks every field explicitly.
 */
export function accessLogMiddleware(logger: JsonLogger): RequestHandler {
  const base = logger.pino;
  // pino-http builds the line before pino checks the level: below info (LOG_LEVEL=warn, error),
  // skip the work for the successful requests that would not be written.
  const quiet = () => !base.isLevelEnabled('info');
  const middleware = pinoHttp({
    logger: base,
    // requestIdMiddleware has run: reuse its id (a well-formed X-Request-Id, else a UUID).
    genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? '',
    quietReqLogger: true,
    quietResLogger: true,
    wrapSerializers: false,
    serializers: { req: () => undefined, res: () => undefined, err: () => undefined },
    customAttributeKeys: { reqId: 'requestId', responseTime: 'durationMs' },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
      err || res.statusCode >= 500 ? 'error' : 'info',
    customSuccessObject: (req: IncomingMessage, res: ServerResponse, value: { durationMs?: number }) =>
      quiet() ? {} : { ...accessEntry(req as Request, res as Response), durationMs: value.durationMs },
    customErrorObject: (req: IncomingMessage, res: ServerResponse, _err: Error, value: { durationMs?: number }) => ({
      ...accessEntry(req as Request, res as Response),
      durationMs: value.durationMs,
    }),
    customSuccessMessage: (req: IncomingMessage, res: ServerResponse) =>
      quiet() ? '' : `${req.method} ${routeOf(req as Request)} ${res.statusCode}`,
    customErrorMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${routeOf(req as Request)} ${res.statusCode}`,
  });
  return middleware as unknown as RequestHandler;
}
