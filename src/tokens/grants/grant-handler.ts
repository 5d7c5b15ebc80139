import type { OAuthClient } from 'src/clients/oauth-client.entity';
import type { GrantType } from 'src/oauth/oauth.constants';
import type { RawParams } from 'src/oauth/request-params';
import type { TokenResponse } from '../token-issuer.service';

export interface GrantContext {
  client: OAuthClient;
  params: RawParams;
}

/** One class per grant type (docs/style.md §8 rule 3). Register it in GrantRegistry. */
export interface GrantHandler {
  readonly grantType: GrantType;
  handle(ctx: GrantContext): Promise<TokenResponse>;
}
