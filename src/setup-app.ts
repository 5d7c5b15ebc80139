import type { NestExpressApplication } from '@nestjs/platform-express';
import { setupAdminOpenApi } from './admin/admin-openapi';
import { publicCorsMiddleware } from './common/cors.middleware';
import { JsonLogger } from './common/json-logger';
import { securityHeaders } from './common/security-headers';
import { AppConfig } from './config/app-config';
import { DatabaseAvailability } from './database/database-availability';
import { DATABASE_AVAILABILITY_SETTING, OAuthErrorFilter } from './oauth/errors/oauth-error.filter';
import { requestBody } from './oauth/request-body.middleware';
import { createValidationPipe } from './oauth/validation';
import { MetricsService } from './observability/metrics.service';
import { requestObserverMiddleware } from './observability/request-observer.middleware';

/** Body size limits for every parser (SECURITY: hostile input). */
export const BODY_LIMIT = '64kb';

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
  app.use(requestObserverMiddleware(logger, config.metrics.enabled ? app.get(MetricsService) : null));
  app.use(securityHeaders({ https: config.issuer.startsWith('https://') }));
  app.use(publicCorsMiddleware);
  app.use(requestBody(BODY_LIMIT));
  app.useGlobalPipes(createValidationPipe());
  // Every OAuthErrorFilter instance (global JSON, per-controller HTML) reports outages here.
  app.set(DATABASE_AVAILABILITY_SETTING, app.get(DatabaseAvailability));
  app.useGlobalFilters(new OAuthErrorFilter('json'));
  setupAdminOpenApi(app);
  // No app.enableShutdownHooks(): main.ts drains on SIGTERM itself (health/graceful-shutdown.ts),
  // and Nest's hooks would also stop on SIGUSR2.
  return app;
}
