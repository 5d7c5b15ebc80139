import { Injectable } from '@nestjs/common';
import { ClientsService } from 'src/clients/clients.service';
import { Clock } from 'src/common/clock';
import type { PageOutcome } from 'src/common/html/page-outcome';
import { AppConfig } from 'src/config/app-config';
import { ConsentService } from 'src/consent/consent.service';
import { AccessDenied, ConsentRequired, InvalidScope, LoginRequired, PageError } from 'src/oauth/errors/oauth-errors';
import { OAuthError } from 'src/oauth/errors/oauth.error';
import { IDENTITY_SCOPES } from 'src/oauth/oauth.constants';
import {
  ClientPolicy,
  isVetted,
  mayRedirectBeforeInteraction,
} from 'src/clients/policy/client-policy';
import { isLoopbackRedirectUri } from 'src/clients/policy/redirect-uri-rules';
import { RawParams } from 'src/oauth/request-params';
import { isSubset } from 'src/oauth/scope';
import { Session, SessionService, SignedInUser } from 'src/session/session.service';
import { User } from 'src/users/user.entity';
import { AuthorizationCodesService } from './authorization-codes.service';
import {
  AuthorizationRequest,
  AuthorizeContext,
  validateAuthorizationRequest,
} from './authorize-request';
import { consentPage } from './pages/consent.page';

export type Outcome = PageOutcome;

const FRESH_LOGIN_SECONDS = 120;

/**
 * The authorization endpoint's logic (RFC 6749 §4.1): validate, make sure a person is signed in,
 * ask for consent unless it was already given, then issue a code.
 */
@Injectable()
export class AuthorizeService {
  private readonly ctx: AuthorizeContext;

  constructor(
    private readonly config: AppConfig,
    private readonly clients: ClientsService,
    private readonly sessions: SessionService,
    private readonly consents: ConsentService,
    private readonly codes: AuthorizationCodesService,
    private readonly clock: Clock,
    clientPolicy: ClientPolicy,
  ) {
    this.ctx = {
      issuer: config.issuer,
      resource: config.mcp.resource,
      findClient: (id) => this.clients.findByClientId(id),
      redirectUriPermitted: (uri) => clientPolicy.permitsRedirectUri(uri),
    };
  }

  /** GET /authorize; `signedIn` is the browser's live session, resolved at the edge (`@SignedIn()`). */
  async authorize(
    params: RawParams,
    originalUrl: string,
    signedIn: SignedInUser | null,
  ): Promise<Outcome> {
    const request = await validateAuthorizationRequest(params, this.ctx);
    const mustLogin =
      !signedIn ||
      (request.prompt.has('login') &&
        signedIn.session.authTime < this.clock.nowSeconds() - FRESH_LOGIN_SECONDS);
    if (mustLogin) {
      if (request.prompt.has('none'))
        throw this.beforeInteraction(request, LoginRequired());
      return { kind: 'redirect', url: `/login?return_to=${encodeURIComponent(originalUrl)}` };
    }
    const { user, session } = signedIn!;
    this.checkUserScope(request, user, false);
    const remembered =
      !request.prompt.has('consent') &&
      (await this.consents.covers(user.id, request.client.clientId, request.scope));
    if (remembered) return this.issueCode(request, user);
    if (request.prompt.has('none'))
      throw this.beforeInteraction(request, ConsentRequired());
    return { kind: 'page', status: 200, html: this.renderConsent(request, user, session) };
  }

  /** POST /consent: the person's decision, with the request replayed and validated again. */
  async decide(body: RawParams, signedIn: SignedInUser | null): Promise<Outcome> {
    if (!signedIn)
      throw new PageError(
        'access_denied',
        'your session has expired; start again from the application',
        403,
      );
    if (!this.sessions.verifySessionCsrf(signedIn.session, body.csrf_token)) {
      throw new PageError(
        'access_denied',
        'the form expired or was tampered with; start again from the application',
        403,
      );
    }
    const { csrf_token: _csrf, decision, ...params } = body;
    const request = await validateAuthorizationRequest(params, this.ctx);
    if (decision !== 'approve') {
      throw this.toClient(request, AccessDenied('the user denied the request'));
    }
    this.checkUserScope(request, signedIn.user, true);
    await this.consents.grant(signedIn.user.id, request.client.clientId, request.scope);
    return this.issueCode(request, signedIn.user);
  }

  private async issueCode(request: AuthorizationRequest, user: User): Promise<Outcome> {
    const code = await this.codes.issue({
      clientId: request.client.clientId,
      userId: user.id,
      redirectUri: request.redirectUri,
      scope: request.scope,
      resource: request.resource,
      codeChallenge: request.codeChallenge,
    });
    const url = new URL(request.redirectUri);
    url.searchParams.set('code', code);
    if (request.state !== undefined) url.searchParams.set('state', request.state);
    url.searchParams.set('iss', this.config.issuer);
    return { kind: 'redirect', url: url.toString() };
  }

  /** The person may only grant permissions they hold themselves (identity scopes are not permissions). */
  private checkUserScope(request: AuthorizationRequest, user: User, decided: boolean): void {
    const needed = request.scope.filter((s) => !IDENTITY_SCOPES.has(s));
    if (!isSubset(needed, user.scopes)) {
      const error = InvalidScope('requested scope is not allowed for this user');
      throw decided ? this.toClient(request, error) : this.beforeInteraction(request, error);
    }
  }

  /**
   * An error found before the person decided anything: redirected only where the client policy
   * allows it (RFC 9700 §4.11.2), else shown as a page (docs/security.md §11.3).
   */
  private beforeInteraction(request: AuthorizationRequest, error: OAuthError): OAuthError {
    return mayRedirectBeforeInteraction(request.client, request.redirectUri)
      ? this.toClient(request, error)
      : error;
  }

  private toClient(request: AuthorizationRequest, error: OAuthError): OAuthError {
    return error.redirectTo({
      redirectUri: request.redirectUri,
      state: request.state,
      iss: this.config.issuer,
    });
  }

  private renderConsent(request: AuthorizationRequest, user: User, session: Session): string {
    const hidden: Record<string, string> = {
      response_type: 'code',
      client_id: request.client.clientId,
      redirect_uri: request.redirectUri,
      scope: request.scope.join(' '),
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
      resource: request.resource,
    };
    if (request.state !== undefined) hidden.state = request.state;
    const redirect = new URL(request.redirectUri);
    return consentPage({
      clientName: request.client.clientName,
      clientId: request.client.clientId,
      vetted: isVetted(request.client),
      metadataHost: request.client.source === 'cimd' ? new URL(request.client.clientId).host : null,
      redirectHost: redirect.host || redirect.protocol,
      localhostOnly: request.client.redirectUris.every(isLoopbackRedirectUri),
      scopes: request.scope,
      resource: request.resource,
      username: user.username,
      csrfToken: session.csrf,
      hidden,
    });
  }
}
