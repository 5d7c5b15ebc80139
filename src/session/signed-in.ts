import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import cookieParser from 'cookie-parser';
import type { Request, RequestHandler, Response } from 'express';
import { AppConfig } from 'src/config/app-config';
import type { BrowserContext } from './cookie-intent';
import { SessionService, SignedInUser } from './session.service';

const SIGNED_IN = Symbol('signedIn');
const BROWSER = Symbol('browser');

interface BrowserRequest extends Request {
  [SIGNED_IN]?: SignedInUser | null;
  [BROWSER]?: BrowserContext;
}

/**
 * Resolves the browser's session once per request, before the handler (issue 14 item 3): the
 * person (or null) for `@SignedIn()`, and the cookie values and client details for `@Browser()`.
 * A cookie that names no live session is cleared here. It never refuses a request: pages decide
 * what a visitor who is not signed in sees.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  /**
   * Cookies are read here, on the browser routes only (no other route reads or signs one): it
   * also sets `req.secret`, which Express's signed `res.cookie` needs.
   */
  private readonly parseCookies: RequestHandler;

  constructor(
    private readonly sessions: SessionService,
    config: AppConfig,
  ) {
    this.parseCookies = cookieParser(config.appSecret);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<BrowserRequest>();
    this.parseCookies(req, http.getResponse<Response>(), () => undefined);
    const cookies = (req.signedCookies ?? {}) as Record<string, unknown>;
    const resolved = await this.sessions.resolve(cookies[this.sessions.sessionCookie]);
    if (!resolved.signedIn && resolved.clearCookie) {
      const { name, options } = this.sessions.cookieOf({ clear: 'session' });
      http.getResponse<Response>().clearCookie(name, options);
    }
    req[SIGNED_IN] = resolved.signedIn;
    const loginCsrf = cookies[this.sessions.loginCsrfCookie];
    const userAgent = req.headers['user-agent'];
    req[BROWSER] = {
      loginCsrf: typeof loginCsrf === 'string' ? loginCsrf : undefined,
      ip: req.ip ?? null,
      userAgent: typeof userAgent === 'string' ? userAgent : null,
    };
    return true;
  }
}

/** Puts a controller's handlers under `SessionGuard`. */
export const WithBrowserSession = () => UseGuards(SessionGuard);

function stashed<T>(ctx: ExecutionContext, key: typeof SIGNED_IN | typeof BROWSER): T {
  const req = ctx.switchToHttp().getRequest<BrowserRequest>();
  if (!(key in req)) throw new Error('SessionGuard did not run for this handler');
  return req[key as typeof SIGNED_IN] as T;
}

/** The signed-in person and their session, or null (needs `@WithBrowserSession()`). */
export const SignedIn = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): SignedInUser | null => stashed(ctx, SIGNED_IN),
);

/** The request's cookies and client details a browser-flow service needs (needs `@WithBrowserSession()`). */
export const Browser = createParamDecorator((_: unknown, ctx: ExecutionContext): BrowserContext =>
  stashed(ctx, BROWSER),
);
