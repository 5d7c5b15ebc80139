import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PageError } from 'src/oauth/errors/oauth-errors';
import { RawParams } from 'src/oauth/request-params';
import { SessionService } from 'src/users/session.service';
import { UsersService } from 'src/users/users.service';
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
}
