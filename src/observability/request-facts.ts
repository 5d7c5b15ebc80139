import type { Request, Response } from 'express';
import { getAuditContext } from 'src/audit/audit-context';
import { principalOf } from 'src/bearer/principal.decorator';
import { clientIdOf } from 'src/rate-limit/rate-limit-trackers';

/** The route label of a request that matched no route (404s, bodies refused before routing). */
export const UNMATCHED_ROUTE = '(unmatched)';

/** The endpoints whose successful answer proves the client authenticated (RFC 6749 §2.3). */
const CLIENT_AUTHENTICATED_ROUTES: ReadonlySet<string> = new Set([
  '/oauth/token',
  '/token',
  '/oauth/revoke',
  '/revoke',
  '/oauth/introspect',
  '/introspect',
]);

/**
 * The route pattern that handled the request (`/admin/clients/:id`), never the raw path: a bounded
 * label for metrics and a stable field for the access log. Express sets `req.route` when a route
 * matches; the pattern is a string kept on the route object, so this costs a property read.
 */
export function routeOf(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (!route || typeof route.path !== 'string') return UNMATCHED_ROUTE;
  return req.baseUrl ? `${req.baseUrl}${route.path}` : route.path;
}

/** The OAuth error code the error filter answered with (`OAuthErrorFilter` notes it), if any. */
export function errorCodeOf(res: Response): string | undefined {
  const code = (res.locals as { oauthError?: unknown } | undefined)?.oauthError;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Who made the request, where the server knows it: the bearer token's client and subject, the
 * audit context a handler set (login, consent, registration), or, on a successful token,
 * revocation or introspection request, the client that authenticated.
 */
export function actorOf(
  req: Request,
  res: Response,
  route: string,
): { clientId?: string; subject?: string } {
  const principal = principalOf(req);
  if (principal) return { clientId: principal.clientId, subject: principal.sub };
  const audit = getAuditContext(req);
  let clientId = audit?.clientId ?? undefined;
  if (!clientId && res.statusCode < 400 && CLIENT_AUTHENTICATED_ROUTES.has(route)) {
    clientId = clientIdOf(req);
  }
  return { clientId, subject: audit?.userId ?? undefined };
}
