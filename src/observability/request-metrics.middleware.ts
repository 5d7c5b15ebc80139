import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { MetricsService, TOKEN_ROUTES } from './metrics.service';
import { errorCodeOf, routeOf } from './request-facts';

/** The status label of a request whose client went away before the response was complete. */
const ABORTED_STATUS = 499;

/**
 * Counts and times every request by method, route pattern and status (README: Metrics): one
 * `close` listener and one clock read at each end; the series are cached by the service.
 */
export function requestMetricsMiddleware(metrics: MetricsService): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    res.once('close', () => {
      const status = res.writableFinished ? res.statusCode : ABORTED_STATUS;
      const route = routeOf(req);
      const seconds = (performance.now() - started) / 1000;
      if (!TOKEN_ROUTES.has(route)) return metrics.observeRequest(req.method, route, status, seconds);
      const body = req.body as Record<string, unknown> | undefined;
      metrics.observeRequest(req.method, route, status, seconds, {
        grantType: body && typeof body === 'object' ? body.grant_type : undefined,
        errorCode: errorCodeOf(res),
      });
    });
    next();
  };
}
