import { Injectable } from '@nestjs/common';
import type { GrantType } from 'src/oauth/oauth.constants';
import { AuthorizationCodeGrant } from './authorization-code.grant';
import { GrantHandler } from './grant-handler';

/** grant_type → handler. Adding a grant: write the class, add it to the module and to this list. */
@Injectable()
export class GrantRegistry {
  private readonly handlers = new Map<string, GrantHandler>();

  constructor(authorizationCode: AuthorizationCodeGrant) {
    for (const handler of [authorizationCode]) this.handlers.set(handler.grantType, handler);
  }

  find(grantType: string): GrantHandler | undefined {
    return this.handlers.get(grantType);
  }

  get supported(): GrantType[] {
    return [...this.handlers.keys()] as GrantType[];
  }
}
