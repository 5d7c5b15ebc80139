import { OAuthError } from './oauth.error';

/* One factory per RFC error code, so call sites read as the RFC does. */

export const InvalidRequest = (description: string) => new OAuthError('invalid_request', description);
export const InvalidGrant = (description: string) => new OAuthError('invalid_grant', description);
export const UnauthorizedClient = (description: string) => new OAuthError('unauthorized_client', description);
export const UnsupportedGrantType = (description = 'grant_type not supported') =>
  new OAuthError('unsupported_grant_type', description);
export const UnsupportedResponseType = (description = 'only response_type=code is supported') =>
  new OAuthError('unsupported_response_type', description);
export const InvalidScope = (description: string) => new OAuthError('invalid_scope', description);
export const AccessDenied = (description: string) => new OAuthError('access_denied', description);
export const InvalidTarget = (description: string) => new OAuthError('invalid_target', description);
export const UnsupportedTokenType = (description: string) => new OAuthError('unsupported_token_type', description);
export const InvalidRedirectUri = (description: string) => new OAuthError('invalid_redirect_uri', description);
export const InvalidClientMetadata = (description: string) => new OAuthError('invalid_client_metadata', description);
export const ServerError = (description = 'internal server error') => new OAuthError('server_error', description);
export const TemporarilyUnavailable = (description: string) =>
  new OAuthError('temporarily_unavailable', description);
export const LoginRequired = (description = 'login required') => new OAuthError('login_required', description);
export const ConsentRequired = (description = 'consent required') =>
  new OAuthError('consent_required', description);
export const NotFound = (description: string) => new OAuthError('not_found', description);
/** 401 invalid_token (RFC 6750 §3.1); the caller adds its challenge. */
export const InvalidToken = (description: string) => new OAuthError('invalid_token', description);
/** 429 with Retry-After (RFC 6585 §4). */
export const RateLimited = (description: string, retryAfterSeconds: number) =>
  new OAuthError('rate_limited', description).withHeader('Retry-After', String(retryAfterSeconds));

/**
 * RFC 6749 §5.2: a client that authenticated with the Authorization header gets 401 and a Basic
 * challenge naming the realm.
 */
export function InvalidClient(description: string, basicRealm?: string, status?: number): OAuthError {
  const error = new OAuthError('invalid_client', description, status);
  if (basicRealm) error.withHeader('WWW-Authenticate', `Basic realm="${basicRealm}", charset="UTF-8"`);
  return error;
}

/** A page-level error (login, consent, unknown client at /authorize): rendered as HTML, never redirected. */
export class PageError extends OAuthError {
  constructor(code: ConstructorParameters<typeof OAuthError>[0], description: string, status?: number) {
    super(code, description, status);
    this.name = 'PageError';
  }
}
