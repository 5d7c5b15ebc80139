import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { from, Observable, of, throwError } from 'rxjs';
import { catchError, map, mergeMap } from 'rxjs/operators';
import { OAuthError } from 'src/oauth/errors/oauth.error';
import { FailureKey, GuessingLimits } from './guessing-limits';
import { rateLimitedEndpoint } from './rate-limit.decorator';
import { clientIdOf, ipOf } from './rate-limit-trackers';

/** The endpoints that authenticate clients (RFC 6749 §2.3): token, revocation, introspection. */
const CLIENT_AUTH_ENDPOINTS: ReadonlySet<string> = new Set(['token', 'revoke', 'introspect']);

/**
 * Guessing limits on client authentication (issue 12 item 9), in one place and outside the token
 * code: before the handler, a client_id or address that reached its cap of failed authentications
 * gets 429; an `invalid_client` answer counts one failure for the claimed client_id and for the
 * address; a successful answer clears the client's count. Wrong secrets are therefore slowed down
 * per client and per address, while a client that authenticates is never counted.
 */
@Injectable()
export class ClientAuthFailuresInterceptor implements NestInterceptor {
  constructor(private readonly limits: GuessingLimits) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const endpoint = context.getType() === 'http' ? rateLimitedEndpoint(context) : undefined;
    if (!endpoint || !CLIENT_AUTH_ENDPOINTS.has(endpoint)) return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    const clientId = clientIdOf(req);
    const clientKey: FailureKey[] =
      clientId === undefined ? [] : [{ limit: 'client_auth.client', tracker: clientId }];
    const keys: FailureKey[] = [...clientKey, { limit: 'client_auth.ip', tracker: ipOf(req) }];
    const userAgent = req.headers['user-agent'];
    const attempt = {
      ip: req.ip ?? null,
      userAgent: typeof userAgent === 'string' ? userAgent : null,
      clientId: clientId ?? null,
    };
    let counted: FailureKey[] = [];
    return from(this.limits.check(keys)).pipe(
      mergeMap((withFailures) => {
        counted = withFailures.filter((k) => k.limit === 'client_auth.client');
        return next.handle();
      }),
      // Only when there is something to forget: no write on the hot path otherwise.
      mergeMap((body) =>
        counted.length ? from(this.limits.succeeded(counted)).pipe(map(() => body)) : of(body),
      ),
      catchError((err: unknown) => {
        if (!(err instanceof OAuthError) || err.code !== 'invalid_client')
          return throwError(() => err);
        return from(this.limits.failed(keys, attempt)).pipe(mergeMap(() => throwError(() => err)));
      }),
    );
  }
}
