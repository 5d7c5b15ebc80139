import { Injectable } from '@nestjs/common';
import { Clock } from 'src/common/clock';
import { constantTimeEqual, sha256Hex } from 'src/common/hashing';
import { RandomSource } from 'src/common/random';
import { AppConfig } from 'src/config/app-config';
import { User } from 'src/users/user.entity';
import { UsersService } from 'src/users/users.service';
import { BrowserSessionsRepository } from './browser-sessions.repository';
import type { CookieIntent } from './cookie-intent';

/** A signed-in person's browser session: a signed cookie naming a server-side row. */
export interface Session {
  /** Session id, new at every login (session fixation defence); the row is keyed by its SHA-256. */
  sid: string;
  userId: string;
  /** Login time, seconds since the epoch. */
  authTime: number;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Per-session CSRF secret for the forms shown to this person. */
  csrf: string;
}

export interface SignedInUser {
  user: User;
  session: Session;
}

/** What a session cookie turned out to be: nothing, a live session, or one to clear. */
export type ResolvedSession = { signedIn: SignedInUser } | { signedIn: null; clearCookie: boolean };

/** The attributes of this server's cookies (what the edge hands to Express's res.cookie). */
export interface CookieOptions {
  httpOnly: true;
  sameSite: 'lax';
  secure: boolean;
  path: '/';
  signed: true;
  maxAge?: number;
}

const SESSION_TTL_SECONDS = 12 * 3600;
const LOGIN_CSRF_TTL_SECONDS = 3600;

/**
 * Browser sessions and the browser's CSRF secrets (issue 14 item 3: one owner). The session cookie
 * and the pre-login CSRF cookie are HttpOnly, SameSite=Lax, signed with APP_SECRET, and Secure
 * (with the __Host- prefix) when the issuer is https. A session is live only while its row exists
 * (issue 12 item 3): logout, "sign out everywhere", a password reset and disabling the user delete
 * rows, so a saved cookie stops working at once (docs/security.md §12.2).
 */
@Injectable()
export class SessionService {
  readonly sessionCookie: string;
  readonly loginCsrfCookie: string;

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly sessions: BrowserSessionsRepository,
    private readonly users: UsersService,
  ) {
    const prefix = config.secureCookies ? '__Host-' : '';
    this.sessionCookie = `${prefix}mcp_session`;
    this.loginCsrfCookie = `${prefix}mcp_login_csrf`;
  }

  /**
   * The person behind a session cookie's (signature-checked) value: the cookie must be well formed
   * and unexpired, its row live, and its user present and enabled.
   */
  async resolve(raw: unknown): Promise<ResolvedSession> {
    if (raw === undefined) return { signedIn: null, clearCookie: false };
    const session = this.parse(raw);
    if (!session) return { signedIn: null, clearCookie: true };
    const userId = await this.sessions.liveUserId(sha256Hex(session.sid), this.clock.now());
    const user = userId === session.userId ? await this.users.findById(userId) : null;
    if (!user || user.disabled) return { signedIn: null, clearCookie: true };
    return { signedIn: { user, session } };
  }

  /** Starts a new session (a fresh sid and CSRF secret, a new row); the pre-login cookie goes. */
  async start(userId: string): Promise<{ session: Session; cookies: CookieIntent[] }> {
    const now = this.clock.nowSeconds();
    const session: Session = {
      sid: this.random.token(16),
      userId,
      authTime: now,
      exp: now + SESSION_TTL_SECONDS,
      csrf: this.random.token(24),
    };
    await this.sessions.create(
      sha256Hex(session.sid),
      userId,
      new Date(session.exp * 1000),
      this.clock.now(),
    );
    return { session, cookies: [{ set: 'session', session }, { clear: 'login-csrf' }] };
  }

  /** Ends this session server-side (a saved copy of the cookie no longer signs in). */
  async end(session: Session): Promise<CookieIntent[]> {
    await this.sessions.delete(sha256Hex(session.sid));
    return [{ clear: 'session' }];
  }

  /** Ends every session of the user: sign out everywhere, password reset, disabled account. */
  endAll(userId: string): Promise<number> {
    return this.sessions.deleteForUser(userId);
  }

  /** The login form's CSRF token: the cookie's value when there is one, else a new one to set. */
  loginCsrf(existing: string | undefined): { token: string; cookies: CookieIntent[] } {
    if (typeof existing === 'string' && existing.length >= 20)
      return { token: existing, cookies: [] };
    const token = this.random.token(24);
    return { token, cookies: [{ set: 'login-csrf', token }] };
  }

  verifyLoginCsrf(existing: string | undefined, submitted: unknown): boolean {
    return (
      typeof existing === 'string' &&
      typeof submitted === 'string' &&
      constantTimeEqual(existing, submitted)
    );
  }

  verifySessionCsrf(session: Session, submitted: unknown): boolean {
    return typeof submitted === 'string' && constantTimeEqual(session.csrf, submitted);
  }

  /** The Set-Cookie value and options of an intent (used by the edge only). */
  cookieOf(intent: CookieIntent): { name: string; value: string | null; options: CookieOptions } {
    if ('set' in intent) {
      return intent.set === 'session'
        ? {
            name: this.sessionCookie,
            value: JSON.stringify(intent.session),
            options: this.cookieOptions(SESSION_TTL_SECONDS),
          }
        : {
            name: this.loginCsrfCookie,
            value: intent.token,
            options: this.cookieOptions(LOGIN_CSRF_TTL_SECONDS),
          };
    }
    const name = intent.clear === 'session' ? this.sessionCookie : this.loginCsrfCookie;
    return { name, value: null, options: this.cookieOptions() };
  }

  private parse(raw: unknown): Session | null {
    if (typeof raw !== 'string') return null;
    try {
      const s = JSON.parse(raw) as Session;
      const valid =
        typeof s === 'object' &&
        s !== null &&
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
