import { Injectable } from '@nestjs/common';
import type { CookieOptions, Request, Response } from 'express';
import { Clock } from 'src/common/clock';
import { constantTimeEqual } from 'src/common/hashing';
import { RandomSource } from 'src/common/random';
import { AppConfig } from 'src/config/app-config';

/** A signed-in person's browser session, carried in a signed cookie (no server-side state). */
export interface Session {
  /** Session id, new at every login (session fixation defence). */
  sid: string;
  userId: string;
  /** Login time, seconds since the epoch. */
  authTime: number;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Per-session CSRF secret for the forms shown to this person. */
  csrf: string;
}

const SESSION_TTL_SECONDS = 12 * 3600;
const LOGIN_CSRF_TTL_SECONDS = 3600;

/**
 * Browser state: the session cookie and the pre-login CSRF cookie. Both are HttpOnly, SameSite=Lax,
 * signed with APP_SECRET, and Secure (with the __Host- prefix) when the issuer is https.
 */
@Injectable()
export class SessionService {
  readonly sessionCookie: string;
  readonly loginCsrfCookie: string;

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {
    const prefix = config.secureCookies ? '__Host-' : '';
    this.sessionCookie = `${prefix}mcp_session`;
    this.loginCsrfCookie = `${prefix}mcp_login_csrf`;
  }

  read(req: Request): Session | null {
    const raw = (req.signedCookies as Record<string, unknown> | undefined)?.[this.sessionCookie];
    if (typeof raw !== 'string') return null;
    try {
      const s = JSON.parse(raw) as Session;
      const valid =
        typeof s.sid === 'string' &&
        typeof s.userId === 'string' &&
        typeof s.csrf === 'string' &&
        typeof s.authTime === 'number' &&
        typeof s.exp === 'number';
      if (!valid || s.exp <= this.clock.nowSeconds()) return null;
      return s;
    } catch {
      return null;
    }
  }

  /** Starts a new session (a fresh sid and CSRF secret) and clears the pre-login cookie. */
  start(res: Response, userId: string): Session {
    const now = this.clock.nowSeconds();
    const session: Session = {
      sid: this.random.token(16),
      userId,
      authTime: now,
      exp: now + SESSION_TTL_SECONDS,
      csrf: this.random.token(24),
    };
    res.cookie(
      this.sessionCookie,
      JSON.stringify(session),
      this.cookieOptions(SESSION_TTL_SECONDS),
    );
    res.clearCookie(this.loginCsrfCookie, this.cookieOptions());
    return session;
  }

  end(res: Response): void {
    res.clearCookie(this.sessionCookie, this.cookieOptions());
  }

  /** The login form's CSRF token: reuses the cookie's value or sets a new one (double submit). */
  loginCsrfToken(req: Request, res: Response): string {
    const existing = (req.signedCookies as Record<string, unknown> | undefined)?.[
      this.loginCsrfCookie
    ];
    if (typeof existing === 'string' && existing.length >= 20) return existing;
    const token = this.random.token(24);
    res.cookie(this.loginCsrfCookie, token, this.cookieOptions(LOGIN_CSRF_TTL_SECONDS));
    return token;
  }

  verifyLoginCsrf(req: Request, submitted: unknown): boolean {
    const expected = (req.signedCookies as Record<string, unknown> | undefined)?.[
      this.loginCsrfCookie
    ];
    return (
      typeof expected === 'string' &&
      typeof submitted === 'string' &&
      constantTimeEqual(expected, submitted)
    );
  }

  verifySessionCsrf(session: Session, submitted: unknown): boolean {
    return typeof submitted === 'string' && constantTimeEqual(session.csrf, submitted);
  }

  private cookieOptions(maxAgeSeconds?: number): CookieOptions {
    return {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.secureCookies,
      path: '/',
      signed: true,
      ...(maxAgeSeconds ? { maxAge: maxAgeSeconds * 1000 } : {}),
    };
  }
}
