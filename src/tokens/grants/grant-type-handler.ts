import type { OAuthClient } from 'src/clients/oauth-client.entity';
import type { GrantType } from 'src/oauth/oauth.constants';
import type { RawParams } from 'src/oauth/request-params';
import type { TokenResponse } from '../token-issuer.service';

export interface GrantContext {
  client: OAuthClient;
  params: RawParams;
}

/** One class per grant type (docs/style.md §8 rule 3). Register it in GrantTypeRegistry. */
export interface GrantTypeHandler {
  readonly grantType: GrantType;
  /**
   * The token request parameters this grant reads besides grant_type and client authentication
   * (RFC 6749 §4.1.3, §4.4.2, §6): TokenService refuses a request missing a required one before
   * the grant runs. Any other parameter is ignored (RFC 6749 §3.2).
   */
  readonly parameters: { readonly required: readonly string[]; readonly optional: readonly string[] };
  handle(ctx: GrantContext): Promise<TokenResponse>;
}
