import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { JsonLogger } from 'src/common/json-logger';
import { redactString } from 'src/common/redact';
import { requestContext } from 'src/common/request-context';
import { assignRequestId } from 'src/common/request-id.middleware';
import type { MetricsService } from './metrics.service';
import { TOKEN_ROUTES } from './metrics.service';
import { actorOf, errorCodeOf, routeOf } from './request-facts';

const MAX_FIELD = 256;
/** The status of a request whose client went away before the response was complete. */
const ABORTED_STATUS = 499;

function clean(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return redactString(value.length > MAX_FIELD ? value.slice(0, MAX_FIELD) : value);
}

/** The one access-log line of a finished request: no header, query, body or cookie ever. */
function accessEntry(req: Request, res: Response, route: string, status: number, requestId: string, ms: number) {
  const { clientId, subject } = actorOf(req, res, route);
  const entry: Record<string, unknown> = {
    requestId,
    method: req.method,
    route,
    // The path without its query string (a query may carry a code or a token); a path that is the
    // route pattern itself (no parameters) needs no redaction.
    path: req.path === route ? route : clean(req.path),
    status,
  };
  const error = errorCodeOf(res);
  if (error) entry.error = error;
  if (clientId) entry.clientId = clean(clientId);
  if (subject) entry.subject = clean(subject);
  entry.durationMs = Math.round(ms);
  return entry;
}

/**
 * Every request's id, access-log line and metrics, in ONE middleware with ONE `close` listener
 * (README: Logs, Metrics; docs/performance.md): the request id (a well-formed X-Request-Id is
 * kept) is echoed and visible to the logger for the rest of the request; when the response is
 * done, the request is counted and timed by method, route pattern and status, and one JSON line
 * is written at info (error from 500 on). Below the line's level nothing is built.
 */
export function requestObserverMiddleware(logger: JsonLogger, metrics: MetricsService | null): RequestHandler {
  const log = logger.pino;
  return (req: Request, res: Response, next: NextFunction) => {
    const requestId = assignRequestId(req, res);
    const started = performance.now();
    res.once('close', () => {
      const status = res.writableFinished ? res.statusCode : ABORTED_STATUS;
      const route = routeOf(req);
      const ms = performance.now() - started;
      if (metrics) {
        if (!TOKEN_ROUTES.has(route)) metrics.observeRequest(req.method, route, status, ms / 1000);
        else {
          const body = req.body as Record<string, unknown> | undefined;
          metrics.observeRequest(req.method, route, status, ms / 1000, {
            grantType: body && typeof body === 'object' ? body.grant_type : undefined,
            errorCode: errorCodeOf(res),
          });
        }
      }
      const level = status >= 500 && status !== ABORTED_STATUS ? 'error' : 'info';
      if (!log.isLevelEnabled(level)) return;
      log[level](accessEntry(req, res, route, status, requestId, ms), `${req.method} ${route} ${status}`);
    });
    requestContext.run({ requestId }, next);
  };
}
