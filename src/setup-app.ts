import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { NextFunction, Request, Response } from 'express';
import { setupAdminOpenApi } from './admin/admin-openapi';
import { publicCorsMiddleware } from './common/cors.middleware';
import { JsonLogger } from './common/json-logger';
import { securityHeaders } from './common/security-headers';
import { AppConfig } from './config/app-config';
import { DatabaseAvailability } from './database/database-availability';
import {
  DATABASE_AVAILABILITY_SETTING,
  fromBodyParserError,
  OAuthErrorFilter,
} from './oauth/errors/oauth-error.filter';
import { rejectNulBytes } from './oauth/reject-nul-bytes.middleware';
import { createValidationPipe } from './oauth/validation';
import { MetricsService } from './observability/metrics.service';
import { requestObserverMiddleware } from './observability/request-observer.middleware';

/** Body size limits for every parser (SECURITY: hostile input). */
export const BODY_LIMIT = '64kb';

const readOtherBody = express.raw({ type: () => true, limit: BODY_LIMIT });

function discardOtherBodies(req: Request, res: Response, next: NextFunction): void {
  if (req.body !== undefined) return next();
  readOtherBody(req, res, (err?: unknown) => {
    req.body = undefined;
    next(err);
  });
}

/**
 * Everything main.ts applies to the Nest application; e2e tests call the same function so they
 * exercise the real stack.
 */
export function setupApp(
  app: NestExpressApplication,
  options: { logger?: JsonLogger } = {},
): NestExpressApplication {
  const config = app.get(AppConfig);
  // The access log writes through the application's logger (main.ts passes it); without one, a
  // logger of the configured level and format on stdout.
  const logger = options.logger ?? new JsonLogger(config.logLevel, undefined, config.logFormat);
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  // RFC 6749 §3.2 token requests are forms; "extended: false" keeps parameters flat strings
  // (duplicates arrive as arrays, which the endpoints reject).
  app.use(requestObserverMiddleware(logger, config.metrics.enabled ? app.get(MetricsService) : null));
  app.use(securityHeaders({ https: config.issuer.startsWith('https://') }));
  app.use(publicCorsMiddleware);
  app.use(express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 100 }));
  app.use(express.json({ limit: BODY_LIMIT, type: ['application/json', 'application/*+json'] }));
  // Any other body (text/plain, multipart, XML, bytes) is read up to the same limit and dropped:
  // no endpoint takes one, so it gets the endpoint's own content-type error, or 413 when larger.
  app.use(discardOtherBodies);
  // Keep body-parser's own classification (too large, malformed, bad charset) as an OAuth error.
  app.use((err: unknown, _req: Request, _res: Response, next: NextFunction) =>
    next(fromBodyParserError(err) ?? err),
  );
  app.use(rejectNulBytes);
  app.useGlobalPipes(createValidationPipe());
  // Every OAuthErrorFilter instance (global JSON, per-controller HTML) reports outages here.
  app.set(DATABASE_AVAILABILITY_SETTING, app.get(DatabaseAvailability));
  app.useGlobalFilters(new OAuthErrorFilter('json'));
  setupAdminOpenApi(app);
  // No app.enableShutdownHooks(): main.ts drains on SIGTERM itself (health/graceful-shutdown.ts),
  // and Nest's hooks would also stop on SIGUSR2.
  return app;
}
