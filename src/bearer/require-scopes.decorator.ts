import { SetMetadata } from '@nestjs/common';

export const REQUIRED_SCOPES_KEY = 'auth:required-scopes';

/**
 * Scopes a route needs on top of a valid token. Read by BearerTokenGuard with
 * `Reflector.getAllAndOverride`, so a handler's list replaces its controller's.
 */
export const RequireScopes = (...scopes: string[]) => SetMetadata(REQUIRED_SCOPES_KEY, scopes);
