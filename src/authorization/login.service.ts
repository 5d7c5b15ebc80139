import { Injectable } from '@nestjs/common';
import { PageError } from 'src/oauth/errors/oauth-errors';
import { RawParams } from 'src/oauth/request-params';
import { AuditService } from 'src/audit/audit.service';
import { GuessingLimits, loginFailureKeys } from 'src/rate-limit/guessing-limits';
import { foldUsername } from 'src/rate-limit/rate-limit-trackers';
import type { BrowserContext, BrowserOutcome } from 'src/session/cookie-intent';
import { SessionService, SignedInUser } from 'src/session/session.service';
import { AuthenticationResult, UsersService } from 'src/users/users.service';
import { loginPage } from './pages/login.page';

/** Where a login may return to: only this server's own interaction pages (no open redirect). */
const SAFE_RETURN = /^\/(oauth\/authorize|authorize|account\/apps)(\?[^#]*)?$/;
const DEFAULT_RETURN = '/account/apps';
const GENERIC_FAILURE = 'Invalid username or password.';

export function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && value.length <= 8192 && SAFE_RETURN.test(value)
    ? value
    : DEFAULT_RETURN;
}

/**
 * The sign-in form: CSRF double-submit cookie, one generic failure message, a new server-side
 * session on success. Returns outcomes and cookie intents; the edge writes them (issue 14 item 3).
 */
@Injectable()
export class LoginService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
    private readonly limits: GuessingLimits,
  ) {}

  show(query: RawParams, browser: BrowserContext): BrowserOutcome {
    const { token, cookies } = this.sessions.loginCsrf(browser.loginCsrf);
    return {
      kind: 'page',
      status: 200,
      html: loginPage({ csrfToken: token, returnTo: safeReturnTo(query.return_to) }),
      cookies,
    };
  }

  /** `previous`: the session this browser had, if any; a new sign-in ends it server-side. */
  async submit(
    body: RawParams,
    browser: BrowserContext,
    previous: SignedInUser | null = null,
  ): Promise<BrowserOutcome> {
    if (!this.sessions.verifyLoginCsrf(browser.loginCsrf, body.csrf_token)) {
      throw new PageError('access_denied', 'the sign-in form expired; go back and try again', 403);
    }
    const returnTo = safeReturnTo(body.return_to);
    const username = typeof body.username === 'string' ? body.username : '';
    const password = typeof body.password === 'string' ? body.password : '';
    // Guessing limits count failed sign-ins per (username, address) and per username; checked
    // before the password is (issue 12 item 9, docs/security.md §12.5).
    const keys = username ? loginFailureKeys(foldUsername(username), browser.ip ?? 'unknown') : [];
    const counted = await this.limits.check(keys);
    const result = username && password ? await this.users.authenticate(username, password) : null;
    if (result) this.recordAttempt(browser, result);
    if (result && !result.ok) await this.limits.failed(keys, browser);
    if (result?.ok && counted.length) await this.limits.succeeded(counted);
    if (!result?.ok) {
      const { token, cookies } = this.sessions.loginCsrf(browser.loginCsrf);
      return {
        kind: 'page',
        status: 400,
        html: loginPage({
          csrfToken: token,
          returnTo,
          username: username.slice(0, 128),
          error: GENERIC_FAILURE,
        }),
        cookies,
      };
    }
    if (previous) await this.sessions.end(previous.session);
    const { cookies } = await this.sessions.start(result.user.id);
    return { kind: 'redirect', url: returnTo, cookies };
  }

  /** login.succeeded / login.failed (with the reason, never the password) / login.locked. */
  private recordAttempt(browser: BrowserContext, result: AuthenticationResult): void {
    const who = { ip: browser.ip, userAgent: browser.userAgent };
    if (result.ok) {
      this.audit.record({
        type: 'login.succeeded',
        outcome: 'success',
        userId: result.user.id,
        ...who,
      });
      return;
    }
    const userId = result.userId ?? null;
    this.audit.record({
      type: 'login.failed',
      outcome: 'failure',
      userId,
      ...who,
      details: { reason: result.reason },
    });
    if (result.lockedNow) {
      const { until, failures } = result.lockedNow;
      this.audit.record({
        type: 'login.locked',
        outcome: 'failure',
        userId,
        ...who,
        details: { failures, locked_until: until.toISOString() },
      });
    }
  }
}
