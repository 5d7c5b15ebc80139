import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { setAuditContext } from 'src/audit/audit-context';
import { GrantsService } from 'src/authorization/grants.service';
import { ClientsService } from 'src/clients/clients.service';
import type { PageOutcome } from 'src/common/html/page-outcome';
import { PageError } from 'src/oauth/errors/oauth-errors';
import { RawParams, required } from 'src/oauth/request-params';
import { Session, SessionService } from 'src/users/session.service';
import { SignedInUser, SignedInUsers } from 'src/users/signed-in-users.service';
import { ConsentService } from './consent.service';
import { accountAppsPage, ConnectedApp } from './pages/account-apps.page';

export type AccountOutcome = PageOutcome;

export const ACCOUNT_APPS_PATH = '/account/apps';
const LOGIN_URL = `/login?return_to=${encodeURIComponent(ACCOUNT_APPS_PATH)}`;

/**
 * The signed-in person's "connected apps" (docs/architecture.md §1, consent module): list what they
 * allowed, revoke it (consent and every grant, so the app's tokens die at once), sign out. Forms
 * carry the session's CSRF secret, compared in constant time.
 */
@Injectable()
export class AccountAppsService {
  constructor(
    private readonly sessions: SessionService,
    private readonly signedInUsers: SignedInUsers,
    private readonly consents: ConsentService,
    private readonly grants: GrantsService,
    private readonly clients: ClientsService,
  ) {}

  async show(req: Request, res: Response): Promise<AccountOutcome> {
    const signedIn = await this.signedIn(req, res);
    if (!signedIn) return { kind: 'redirect', url: LOGIN_URL };
    const { user, session } = signedIn;
    const html = accountAppsPage({
      username: user.username,
      csrfToken: session.csrf,
      apps: await this.apps(user.id),
    });
    return { kind: 'page', status: 200, html };
  }

  /** POST /account/apps/revoke: withdraws consent and revokes the pair's grants (and tokens). */
  async revoke(body: RawParams, req: Request, res: Response): Promise<AccountOutcome> {
    const signedIn = await this.signedIn(req, res);
    if (!signedIn) {
      setAuditContext(req, { outcome: 'failure', details: { reason: 'not_signed_in' } });
      return { kind: 'redirect', url: LOGIN_URL };
    }
    const { user, session } = signedIn;
    setAuditContext(req, { userId: user.id });
    this.checkCsrf(session, body.csrf_token);
    const clientId = required(body, 'client_id');
    setAuditContext(req, { clientId });
    const consentRevoked = await this.consents.revoke(user.id, clientId);
    const grantsRevoked = await this.grants.revokeForUserAndClient(
      user.id,
      clientId,
      'consent_revoked',
    );
    setAuditContext(req, {
      details: { consent_revoked: consentRevoked, grants_revoked: grantsRevoked },
    });
    return { kind: 'redirect', url: ACCOUNT_APPS_PATH };
  }

  /** POST /logout: ends the browser session (applications keep their tokens). */
  logout(body: RawParams, req: Request, res: Response): AccountOutcome {
    const session = this.sessions.read(req);
    if (session) this.checkCsrf(session, body.csrf_token);
    this.sessions.end(res);
    return { kind: 'redirect', url: '/login' };
  }

  private async apps(userId: string): Promise<ConnectedApp[]> {
    const [consents, lastUsed] = await Promise.all([
      this.consents.listActive(userId),
      this.grants.lastUsedByClient(userId),
    ]);
    return Promise.all(
      consents.map(async (consent) => {
        const client = await this.clients.findByClientId(consent.clientId);
        return {
          clientId: consent.clientId,
          clientName: client?.clientName ?? null,
          disabled: client?.disabled ?? false,
          scopes: consent.scope,
          grantedAt: consent.grantedAt,
          lastUsedAt: lastUsed.get(consent.clientId) ?? null,
        };
      }),
    );
  }

  private checkCsrf(session: Session, submitted: unknown): void {
    if (!this.sessions.verifySessionCsrf(session, submitted)) {
      throw new PageError(
        'access_denied',
        'the form expired or was tampered with; reload the page and try again',
        403,
      );
    }
  }

  private signedIn(req: Request, res: Response): Promise<SignedInUser | null> {
    return this.signedInUsers.resolve(req, res);
  }
}
