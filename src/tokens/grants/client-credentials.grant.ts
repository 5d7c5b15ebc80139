import { Injectable } from '@nestjs/common';
import { AppConfig } from 'src/config/app-config';
import { InvalidScope, InvalidTarget, UnauthorizedClient } from 'src/oauth/errors/oauth-errors';
import { single } from 'src/oauth/request-params';
import { resourceMatches } from 'src/oauth/resource';
import { isSubset, parseScope } from 'src/oauth/scope';
import { TokenIssuer, TokenResponse } from '../token-issuer.service';
import { GrantContext, GrantHandler } from './grant-handler';

/** RFC 6749 §4.4: a confidential client acting for itself. No refresh token; `sub` is the client. */
@Injectable()
export class ClientCredentialsGrant implements GrantHandler {
  readonly grantType = 'client_credentials' as const;

  constructor(
    private readonly issuer: TokenIssuer,
    private readonly config: AppConfig,
  ) {}

  async handle({ client, params }: GrantContext): Promise<TokenResponse> {
    if (!client.clientSecretHash || client.tokenEndpointAuthMethod === 'none') {
      throw UnauthorizedClient('public clients may not use client_credentials');
    }
    // Only an administrator gives a client scopes it may hold with no user behind it: a
    // self-registered (DCR/CIMD) row listing client_credentials, e.g. from before registration
    // refused it, gets nothing (docs/security-sessions.md, "client_credentials").
    if (client.source !== 'admin') {
      throw UnauthorizedClient('only clients created by an administrator may use client_credentials');
    }
    const requested = parseScope(single(params, 'scope'));
    if (requested === null) throw InvalidScope('scope is malformed');
    const scope = requested.length ? requested : client.scope;
    if (!isSubset(scope, client.scope)) throw InvalidScope('requested scope is not allowed for this client');
    const resource = single(params, 'resource');
    if (resource !== undefined && !resourceMatches(resource, this.config.mcp.resource)) {
      throw InvalidTarget('unknown resource');
    }
    return this.issuer.issue({
      clientId: client.clientId,
      userId: null,
      scope,
      resource: this.config.mcp.resource,
      grantId: null,
    });
  }
}
