import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { errorPage } from 'src/common/html/layout';
import { sendHtml } from 'src/common/html/send-html';
import {
  DATABASE_RETRY_AFTER_SECONDS,
  type DatabaseAvailability,
} from 'src/database/database-availability';
import { isDatabaseUnavailable } from 'src/database/database-errors';
import { BearerError } from './bearer.error';
import { PageError } from './oauth-errors';
import { OAuthError, OAuthErrorCode } from './oauth.error';

export type ErrorFormat = 'json' | 'html';

const PAGE_TITLES: Partial<Record<OAuthErrorCode, string>> = {
  invalid_request: 'Invalid request',
  invalid_client: 'Unknown application',
  access_denied: 'Access denied',
  not_found: 'Not found',
  rate_limited: 'Too many requests',
  temporarily_unavailable: 'Temporarily unavailable',
};

/** Where setupApp() puts the app's DatabaseAvailability (express app setting), for every filter instance. */
export const DATABASE_AVAILABILITY_SETTING = 'databaseAvailability';

/**
 * The one place where errors become HTTP responses (STYLE.md §3). Global instance: JSON.
 * Controllers that serve pages use it with format 'html' (`@UseFilters(new OAuthErrorFilter('html'))`).
 */
@Catch()
export class OAuthErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly format: ErrorFormat = 'json') {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    if (res.headersSent) {
      this.logger.error(`error after response started on ${req.method} ${req.path}`, asStack(exception));
      return;
    }
    const error = this.toOAuthError(exception, req);
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);

    if (error.redirect) return this.redirect(res, req, error);
    if (this.format === 'html' || error instanceof PageError) {
      const title = PAGE_TITLES[error.code] ?? (error.status >= 500 ? 'Something went wrong' : 'Request failed');
      return sendHtml(res, error.status, errorPage(title, error.description ?? error.code, error.code));
    }
    res.status(error.status);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    if (error instanceof BearerError && error.bare) {
      res.json({ error: 'unauthorized', error_description: error.description ?? 'authentication required' });
      return;
    }
    res.json(error.toJSON());
  }

  /** RFC 6749 §4.1.2.1 with RFC 9207 `iss`; 303 after a form POST so the browser does not re-POST. */
  private redirect(res: Response, req: Request, error: OAuthError): void {
    const { redirectUri, state, iss } = error.redirect!;
    const url = new URL(redirectUri);
    url.searchParams.set('error', error.code);
    if (error.description) url.searchParams.set('error_description', error.description);
    if (state !== undefined) url.searchParams.set('state', state);
    url.searchParams.set('iss', iss);
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(req.method === 'POST' ? 303 : 302, url.toString());
  }

  private toOAuthError(exception: unknown, req: Request): OAuthError {
    if (exception instanceof OAuthError) {
      if (exception.status >= 500) this.logger.error(exception.message, asStack(exception));
      return exception;
    }
    if (exception instanceof HttpException) return fromHttpException(exception);
    const parserError = fromBodyParserError(exception);
    if (parserError) return parserError;
    if (isDatabaseUnavailable(exception)) return this.databaseUnavailable(exception, req);
    this.logger.error(`unhandled error on ${req.method} ${req.path}`, asStack(exception));
    return new OAuthError('server_error', 'internal server error');
  }

  /**
   * The database cannot be reached: 503 + Retry-After (RFC 6749 §4.1.2.1 temporarily_unavailable),
   * logged once per outage by DatabaseAvailability, not once per request (README "Operations").
   */
  private databaseUnavailable(exception: unknown, req: Request): OAuthError {
    const availability = req.app?.get?.(DATABASE_AVAILABILITY_SETTING) as DatabaseAvailability | undefined;
    if (!availability) this.logger.warn({ msg: 'database unavailable', path: req.path });
    else availability.report(exception);
    return new OAuthError(
      'temporarily_unavailable',
      'the service is temporarily unavailable, retry later',
      503,
    ).withHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
  }
}

function asStack(exception: unknown): string {
  return exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
}

function fromHttpException(exception: HttpException): OAuthError {
  const status = exception.getStatus();
  const response = exception.getResponse();
  let description = exception.message;
  if (typeof response === 'object' && response !== null) {
    const message = (response as { message?: unknown }).message;
    if (Array.isArray(message)) description = message.join('; ');
    else if (typeof message === 'string') description = message;
  }
  const code: OAuthErrorCode =
    status === 404
      ? 'not_found'
      : status === 429
        ? 'rate_limited'
        : status === 401
          ? 'invalid_token'
          : status >= 500
            ? 'server_error'
            : status === 403
              ? 'access_denied'
              : 'invalid_request';
  const error = new OAuthError(code, status >= 500 ? 'internal server error' : description.toLowerCase(), status);
  const retryAfter = (exception as { retryAfter?: number }).retryAfter;
  if (retryAfter) error.withHeader('Retry-After', String(retryAfter));
  return error;
}

/** body-parser errors (malformed JSON, too large, bad charset) carry `status` and `type`. */
export function fromBodyParserError(exception: unknown): OAuthError | undefined {
  if (!exception || typeof exception !== 'object') return undefined;
  const { status, type, expose } = exception as { status?: unknown; type?: unknown; expose?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  // A body that does not match its Content-Encoding (zlib/brotli failure) comes as a bare 400
  // http-error with no `type`.
  if (typeof type !== 'string') {
    return expose === true ? new OAuthError('invalid_request', 'malformed request body', status) : undefined;
  }
  const descriptions: Record<string, string> = {
    'entity.too.large': 'request body too large',
    'entity.parse.failed': 'malformed request body',
    'charset.unsupported': 'unsupported charset',
    'encoding.unsupported': 'unsupported content encoding',
    'parameters.too.many': 'too many parameters',
    'request.aborted': 'request aborted',
    'entity.verify.failed': 'malformed request body',
  };
  return new OAuthError('invalid_request', descriptions[type] ?? 'malformed request body', status);
}
