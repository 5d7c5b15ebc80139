import { Injectable } from '@nestjs/common';
import { ClientAuthenticator, ClientCaller } from 'src/clients/client-authenticator.service';
import { InvalidRequest, UnauthorizedClient, UnsupportedGrantType } from 'src/oauth/errors/oauth-errors';
import { duplicated, RawParams, required } from 'src/oauth/request-params';
import { GrantTypeRegistry } from './grants/grant-type-registry';
import { TokenResponse } from './token-issuer.service';

/** POST /token (RFC 6749 §3.2): parameters once each → client authentication → the grant's handler. */
@Injectable()
export class TokenService {
  constructor(
    private readonly authenticator: ClientAuthenticator,
    private readonly registry: GrantTypeRegistry,
  ) {}

  async exchange(authorization: string | undefined, params: RawParams, caller: ClientCaller): Promise<TokenResponse> {
    const dupes = duplicated(params);
    if (dupes.length) throw InvalidRequest(`${dupes[0]} must be given once`);
    const grantType = required(params, 'grant_type');
    const { client } = await this.authenticator.authenticate(authorization, params, caller);
    const handler = this.registry.find(grantType);
    if (!handler) throw UnsupportedGrantType();
    if (!client.grantTypes.includes(grantType)) throw UnauthorizedClient('client may not use this grant type');
    for (const name of handler.parameters.required) required(params, name);
    return handler.handle({ client, params });
  }
}
