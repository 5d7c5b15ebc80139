import { Injectable } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { AuditService } from 'src/audit/audit.service';
import { TokenFamiliesService } from 'src/token-store/token-families.service';
import { OAuthClient } from 'src/clients/oauth-client.entity';
import { sha256Hex } from 'src/common/hashing';
import { TOKEN_PREFIX } from 'src/oauth/oauth.constants';
import { AccessTokensRepository } from '../token-store/access-tokens.repository';
import { RevocationChecker } from '../token-store/revocation-checker';
import { RefreshTokensRepository } from '../token-store/refresh-tokens.repository';
import { RevocationBroadcaster } from '../token-store/revocation/revocation-broadcaster';

/**
 * RFC 7009. A refresh token revokes its whole grant (and so every access token of the family); an
 * access token revokes itself. Only the caller's own tokens are touched; anything else, unknown or
 * already revoked, is silently accepted (§2.2: the response is 200 either way).
 */
@Injectable()
export class TokenRevocationService {
  constructor(
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly accessTokens: AccessTokensRepository,
    private readonly grants: TokenFamiliesService,
    private readonly revocations: RevocationChecker,
    private readonly audit: AuditService,
    private readonly broadcaster: RevocationBroadcaster,
  ) {}

  async revoke(client: OAuthClient, token: string): Promise<void> {
    // The hint is only an optimisation (§2.1); the token's own shape says what it is.
    if (token.startsWith(TOKEN_PREFIX.refreshToken)) return this.revokeRefresh(client, token);
    return this.revokeAccess(client, token);
  }

  private async revokeRefresh(client: OAuthClient, token: string): Promise<void> {
    const stored = await this.refreshTokens.findByHash(sha256Hex(token));
    if (!stored || stored.clientId !== client.clientId) return;
    if (await this.grants.revoke(stored.grantId, 'revoked')) {
      this.audit.record({
        type: 'token.revoked',
        outcome: 'success',
        clientId: client.clientId,
        userId: stored.userId,
        details: { token_type: 'refresh_token', grant_id: stored.grantId },
      });
    }
  }

  private async revokeAccess(client: OAuthClient, token: string): Promise<void> {
    let jti: unknown;
    try {
      // Unverified decode is enough: the row's owner, not the claim, decides below.
      jti = decodeJwt(token).jti;
    } catch {
      return;
    }
    if (typeof jti !== 'string' || jti.length > 64) return;
    if (await this.accessTokens.revokeForClient(jti, client.clientId)) {
      this.revocations.markRevoked(jti);
      await this.broadcaster.tokenRevoked(jti);
      this.audit.record({
        type: 'token.revoked',
        outcome: 'success',
        clientId: client.clientId,
        details: { token_type: 'access_token', jti },
      });
    }
  }
}
