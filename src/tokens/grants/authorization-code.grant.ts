import { Injectable } from '@nestjs/common';
import { AuthorizationCodesService } from 'src/authorization/authorization-codes.service';
import { AppConfig } from 'src/config/app-config';
import { InvalidGrant } from 'src/oauth/errors/oauth-errors';
import { verifyS256 } from 'src/oauth/pkce';
import { required, single } from 'src/oauth/request-params';
import { checkResource } from 'src/oauth/resource';
import { TokenFamiliesService } from 'src/token-store/token-families.service';
import { TokenIssuer, TokenResponse } from '../token-issuer.service';
import { GrantContext, GrantTypeHandler } from './grant-type-handler';

/** RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.6) and resource indicators (RFC 8707 §2.2). */
@Injectable()
export class AuthorizationCodeGrant implements GrantTypeHandler {
  readonly grantType = 'authorization_code' as const;
  readonly parameters = { required: ['code', 'redirect_uri'], optional: ['code_verifier', 'resource'] } as const;

  constructor(
    private readonly codes: AuthorizationCodesService,
    private readonly grants: TokenFamiliesService,
    private readonly issuer: TokenIssuer,
    private readonly config: AppConfig,
  ) {}

  async handle({ client, params }: GrantContext): Promise<TokenResponse> {
    const code = required(params, 'code');
    const redirectUri = required(params, 'redirect_uri');
    const verifier = single(params, 'code_verifier');
    const resource = single(params, 'resource');
    // The resource is checked before the code is spent (docs/mcp.md §1 item 18).
    checkResource(resource, this.config.mcp.resource);
    const result = await this.codes.consume(code);
    if (!result.ok) {
      throw InvalidGrant(result.reason === 'replayed' ? 'authorization code already used' : 'invalid or expired authorization code');
    }
    const stored = result.code;
    // From here on the code is spent: a mismatch burns it (RFC 9700 §4.2.4 defence in depth).
    if (stored.clientId !== client.clientId) throw InvalidGrant('authorization code was issued to another client');
    if (stored.redirectUri !== redirectUri) throw InvalidGrant('redirect_uri does not match the authorization request');
    if (verifier === undefined) throw InvalidGrant('code_verifier is required');
    if (!verifyS256(verifier, stored.codeChallenge)) throw InvalidGrant('code_verifier does not match the code_challenge');
    const grant = await this.grants.findById(stored.grantId);
    if (!grant || grant.revokedAt) throw InvalidGrant('authorization grant was revoked');
    return this.issuer.issue({
      clientId: client.clientId,
      userId: stored.userId,
      scope: stored.scope,
      resource: stored.resource,
      grantId: stored.grantId,
      refresh: client.grantTypes.includes('refresh_token')
        ? { grantExpiresAt: grant.expiresAt, parentHash: null }
        : undefined,
    });
  }
}
