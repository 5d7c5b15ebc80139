import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { AppConfig } from 'src/config/app-config';
import { ADMIN_SECURITY_SCHEME } from './admin-api.decorator';
import { AdminModule } from './admin.module';

export const ADMIN_DOCS_PATH = 'admin/docs';
export const ADMIN_DOCS_JSON_PATH = 'admin/docs-json';

/** Swagger UI loads its bundle from here and styles its widgets inline; it never needs more. */
const SWAGGER_UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * Serves the admin API's OpenAPI description: Swagger UI at /admin/docs, the JSON at
 * /admin/docs-json. Only AdminModule's controllers are described. Both routes are mounted on the
 * HTTP adapter, outside Nest's router, so the bearer guard never sees them: they are public, and
 * describe the API without granting anything.
 */
export function setupAdminOpenApi(app: INestApplication): void {
  const config = app.get(AppConfig);
  const description = new DocumentBuilder()
    .setTitle('Admin API')
    .setDescription(
      'Manage OAuth clients, users and the audit trail. Every call needs an access token with scope ' +
        '`admin`: POST /oauth/token with grant_type=client_credentials and scope=admin, authenticated ' +
        'as an administrator client (ADMIN_CLIENT_ID or `npm run admin:create-client`).',
    )
    .setVersion('1')
    .addServer(config.issuer)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, ADMIN_SECURITY_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, description, { include: [AdminModule] });
  // The global CSP denies everything; Swagger UI needs its own scripts, styles and the JSON.
  app.use(`/${ADMIN_DOCS_PATH}`, (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', SWAGGER_UI_CSP);
    next();
  });
  SwaggerModule.setup(ADMIN_DOCS_PATH, app, document, {
    jsonDocumentUrl: ADMIN_DOCS_JSON_PATH,
    raw: ['json'],
  });
}
