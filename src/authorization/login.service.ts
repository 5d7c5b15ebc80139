import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PageError } from 'src/oauth/errors/oauth-errors';
import { RawParams } from 'src/oauth/request-params';
import { AuditService } from 'src/audit/audit.service';
import { SessionService } from 'src/users/session.service';
import { AuthenticationResult, UsersService } from 'src/users/users.service';
import type { Outcome } from './authorize.service';
import { loginPage } from './pages/login.page';

/** Where a login may return to: only this server's own interaction pages (no open redirect). */
const SAFE_RETURN = /^\/(oauth\/authorize|authorize|account\/apps)(\?[^#]*)?$/;
const DEFAULT_RETURN = '/account/apps';
const GENERIC_FAILURE = 'Invalid username or password.';

export function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && value.length <= 8192 && SAFE_RETURN.test(value) ? value : DEFAULT_RETURN;
}

/** The sign-in form: CSRF double-submit cookie, one generic failure message, a new session on success. */
@Injectable()
export class LoginService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
  ) {}

  show(query: RawParams, req: Request, res: Response): Outcome {
    const csrfToken = this.sessions.loginCsrfToken(req, res);
    return { kind: 'page', status: 200, html: loginPage({ csrfToken, returnTo: safeReturnTo(query.return_to) }) };
  }

  async submit(body: RawParams, req: Request, res: Response): Promise<Outcome> {
    if (!this.sessions.verifyLoginCsrf(req, body.csrf_token)) {
      throw new PageError('access_denied', 'the sign-in form expired; go back and try again', 403);
    }
    const returnTo = safeReturnTo(body.return_to);
    const username = typeof body.username === 'string' ? body.username : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const result = username && password ? await this.users.authenticate(username, password) : null;
    if (result) this.recordAttempt(req, result);
    if (!result?.ok) {
      const csrfToken = this.sessions.loginCsrfToken(req, res);
      return {
        kind: 'page',
        status: 400,
        html: loginPage({ csrfToken, returnTo, username: username.slice(0, 128), error: GENERIC_FAILURE }),
      };
    }
    this.sessions.start(res, result.user.id);
    return { kind: 'redirect', url: returnTo };
  }

  /** login.succeeded / login.failed (with the reason, never the password) / login.locked. */
  private recordAttempt(req: Request, result: AuthenticationResult): void {
    const userAgent = req.headers['user-agent'];
    const who = { ip: req.ip ?? null, userAgent: typeof userAgent === 'string' ? userAgent : null };
    if (result.ok) {
      this.audit.record({ type: 'login.succeeded', outcome: 'success', userId: result.user.id, ...who });
      return;
    }
    const userId = result.userId ?? null;
    this.audit.record({ type: 'login.failed', outcome: 'failure', userId, ...who, details: { reason: result.reason } });
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
