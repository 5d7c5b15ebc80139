import { Injectable } from '@nestjs/common';
import type { GrantType } from 'src/oauth/oauth.constants';
import { AuthorizationCodeGrant } from './authorization-code.grant';
import { ClientCredentialsGrant } from './client-credentials.grant';
import { GrantTypeHandler } from './grant-type-handler';
import { RefreshTokenGrant } from './refresh-token.grant';

/** grant_type → handler. Adding a grant: write the class, add it to the module and to this list. */
@Injectable()
export class GrantTypeRegistry {
  private readonly handlers = new Map<string, GrantTypeHandler>();

  constructor(
    authorizationCode: AuthorizationCodeGrant,
    refreshToken: RefreshTokenGrant,
    clientCredentials: ClientCredentialsGrant,
  ) {
    for (const handler of [authorizationCode, refreshToken, clientCredentials]) this.handlers.set(handler.grantType, handler);
  }

  find(grantType: string): GrantTypeHandler | undefined {
    return this.handlers.get(grantType);
  }

  get supported(): GrantType[] {
    return [...this.handlers.keys()] as GrantType[];
  }
}
