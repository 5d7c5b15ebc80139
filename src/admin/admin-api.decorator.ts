import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { Audited } from 'src/audit/audited.decorator';

export const ADMIN_SCOPE = 'admin';
export const ADMIN_SECURITY_SCHEME = 'admin-token';

/**
 * What every admin controller carries besides `@RequireScopes(ADMIN_SCOPE)` (written out on each,
 * so the protection is visible where the routes are): an `admin.call` audit event per request that
 * passed the bearer guard, and the matching OpenAPI security notes.
 */
export const AdminApi = () =>
  applyDecorators(
    Audited('admin.call', {
      details: (req: Request) => ({
        method: req.method,
        route: (req.route as { path?: string } | undefined)?.path ?? req.path,
        ...(typeof req.params?.id === 'string' && { target: req.params.id.slice(0, 200) }),
      }),
    }),
    ApiBearerAuth(ADMIN_SECURITY_SCHEME),
    ApiUnauthorizedResponse({ description: 'No or invalid access token' }),
    ApiForbiddenResponse({ description: 'The token lacks scope admin' }),
  );
