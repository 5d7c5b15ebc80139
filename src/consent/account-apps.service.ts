import { Injectable } from '@nestjs/common';
import type { AuditContext } from 'src/audit/audit-context';
import { GrantsService } from 'src/authorization/grants.service';
import { ClientsService } from 'src/clients/clients.service';
import { PageError } from 'src/oauth/errors/oauth-errors';
import { RawParams, required } from 'src/oauth/request-params';
import type { BrowserOutcome } from 'src/session/cookie-intent';
import { Session, SessionService, SignedInUser } from 'src/session/session.service';
import { ConsentService } from './consent.service';
import { accountAppsPage, ConnectedApp } from './pages/account-apps.page';

export type AccountOutcome = BrowserOutcome & { audit?: AuditContext };

export const ACCOUNT_APPS_PATH = '/account/apps';
const LOGIN_URL = `/login?return_to=${encodeURIComponent(ACCOUNT_APPS_PATH)}`;

/**
 * The signed-in person's "connected apps" (docs/architecture.md, consent module): list what they
 * allowed, revoke it (consent and every grant, so the app's tokens die at once), sign out here or
 * everywhere. Forms carry the session's CSRF secret, compared in constant time. The person comes
 * resolved from the edge (`@SignedIn()`); outcomes carry cookie intents and the audit details.
 */
@Injectable()
export class AccountAppsService {
  constructor(
    private readonly sessions: SessionService,
    private readonly consents: ConsentService,
    private readonly grants: GrantsService,
    private readonly clients: ClientsService,
  ) {}

  async show(signedIn: SignedInUser | null): Promise<AccountOutcome> {
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
  async revoke(body: RawParams, signedIn: SignedInUser | null): Promise<AccountOutcome> {
    if (!signedIn) {
      return {
        kind: 'redirect',
        url: LOGIN_URL,
        audit: { outcome: 'failure', details: { reason: 'not_signed_in' } },
      };
    }
    const { user, session } = signedIn;
    this.checkCsrf(session, body.csrf_token);
    const clientId = required(body, 'client_id');
    const consentRevoked = await this.consents.revoke(user.id, clientId);
    const grantsRevoked = await this.grants.revokeForUserAndClient(
      user.id,
      clientId,
      'consent_revoked',
    );
    return {
      kind: 'redirect',
      url: ACCOUNT_APPS_PATH,
      audit: {
        userId: user.id,
        clientId,
        details: { consent_revoked: consentRevoked, grants_revoked: grantsRevoked },
      },
    };
  }

  /** POST /logout: ends this browser session server-side (applications keep their tokens). */
  async logout(body: RawParams, signedIn: SignedInUser | null): Promise<AccountOutcome> {
    if (!signedIn) return { kind: 'redirect', url: '/login', cookies: [{ clear: 'session' }] };
    this.checkCsrf(signedIn.session, body.csrf_token);
    const cookies = await this.sessions.end(signedIn.session);
    return { kind: 'redirect', url: '/login', cookies };
  }

  /**
   * POST /account/sessions/revoke ("Sign out everywhere"): ends every browser session of the
   * person, this one included (applications keep their tokens; revoke those per app).
   */
  async signOutEverywhere(body: RawParams, signedIn: SignedInUser | null): Promise<AccountOutcome> {
    if (!signedIn) return { kind: 'redirect', url: LOGIN_URL };
    this.checkCsrf(signedIn.session, body.csrf_token);
    const ended = await this.sessions.endAll(signedIn.user.id);
    return {
      kind: 'redirect',
      url: '/login',
      cookies: [{ clear: 'session' }],
      audit: { userId: signedIn.user.id, details: { sessions_ended: ended } },
    };
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
}
