import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** Who is calling: the verified access token, as handlers see it. */
export interface Principal {
  /** The user id, or the client id for client_credentials tokens. */
  sub: string;
  clientId: string;
  scope: string[];
  jti: string;
  /** Seconds since the epoch (the token's `exp`). */
  expiresAt: number;
  /** The resource the token was issued for (its `aud`, RFC 8707). */
  audience: string;
}

/** A request that BearerTokenGuard has authenticated. */
export type AuthenticatedRequest = Request & { principal?: Principal };

/** The principal the guard attached, or undefined on a `@Public()` route. */
export function principalOf(req: Request): Principal | undefined {
  return (req as AuthenticatedRequest).principal;
}

/**
 * Injects the authenticated caller (set by BearerTokenGuard) into a handler parameter. Only for
 * guarded routes: on a `@Public()` route there is no principal, and asking for one is a bug.
 */
export const Principal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal => {
    const principal = principalOf(ctx.switchToHttp().getRequest<Request>());
    if (!principal)
      throw new Error('@Principal() used on a route without an authenticated principal');
    return principal;
  },
);
