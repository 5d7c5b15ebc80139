/** Every error code the protocol endpoints can emit (RFC 6749 §4.1.2.1 and §5.2, 6750, 7009, 7591, 8707). */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'invalid_target'
  | 'unsupported_token_type'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'login_required'
  | 'consent_required'
  | 'rate_limited'
  | 'not_found'
  | 'server_error'
  | 'temporarily_unavailable';

const DEFAULT_STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  unsupported_response_type: 400,
  invalid_scope: 400,
  access_denied: 403,
  invalid_target: 400,
  unsupported_token_type: 400,
  invalid_redirect_uri: 400,
  invalid_client_metadata: 400,
  login_required: 400,
  consent_required: 400,
  invalid_client: 401,
  invalid_token: 401,
  insufficient_scope: 403,
  not_found: 404,
  rate_limited: 429,
  server_error: 500,
  temporarily_unavailable: 503,
};

/** Where an authorization-endpoint error may be sent once client_id and redirect_uri are verified. */
export interface ErrorRedirect {
  redirectUri: string;
  state?: string;
  iss: string;
}

/**
 * A protocol error. Thrown anywhere; turned into a response only by OAuthErrorFilter.
 * `description` is short, stable, lower-case ASCII and never contains a secret.
 */
export class OAuthError extends Error {
  readonly status: number;
  /** Set when the error must be reported by redirecting to the client (RFC 6749 §4.1.2.1). */
  redirect?: ErrorRedirect;
  /** Extra response headers (e.g. WWW-Authenticate, Retry-After). */
  readonly headers: Record<string, string> = {};

  constructor(
    readonly code: OAuthErrorCode,
    readonly description?: string,
    status?: number,
    readonly uri?: string,
  ) {
    super(description ? `${code}: ${description}` : code);
    this.name = 'OAuthError';
    this.status = status ?? DEFAULT_STATUS[code];
  }

  /** Marks the error as one to deliver to the (already validated) redirect URI. */
  redirectTo(redirect: ErrorRedirect): this {
    this.redirect = redirect;
    return this;
  }

  withHeader(name: string, value: string): this {
    this.headers[name] = value;
    return this;
  }

  toJSON(): Record<string, string> {
    const body: Record<string, string> = { error: this.code };
    if (this.description) body.error_description = this.description;
    if (this.uri) body.error_uri = this.uri;
    return body;
  }
}
