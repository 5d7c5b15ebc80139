import { Injectable } from '@nestjs/common';
import { AppConfig } from 'src/config/app-config';
import { UnauthorizedClient } from 'src/oauth/errors/oauth-errors';
import { single } from 'src/oauth/request-params';
import { checkResource } from 'src/oauth/resource';
import { checkScope } from 'src/oauth/scope';
import { TokenIssuer, TokenResponse } from '../token-issuer.service';
import { GrantContext, GrantTypeHandler } from './grant-type-handler';

/** RFC 6749 §4.4: a confidential client acting for itself. No refresh token; `sub` is the client. */
@Injectable()
export class ClientCredentialsGrant implements GrantTypeHandler {
  readonly grantType = 'client_credentials' as const;
  readonly parameters = { required: [], optional: ['scope', 'resource'] } as const;

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
    // refused it, gets nothing (docs/security.md §12.1).
    if (client.source !== 'admin') {
      throw UnauthorizedClient('only clients created by an administrator may use client_credentials');
    }
    const scope = checkScope(single(params, 'scope'), client.scope, client.scope, 'requested scope is not allowed for this client');
    checkResource(single(params, 'resource'), this.config.mcp.resource);
    return this.issuer.issue({
      clientId: client.clientId,
      userId: null,
      scope,
      resource: this.config.mcp.resource,
      grantId: null,
    });
  }
}
