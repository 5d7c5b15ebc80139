import { Injectable } from '@nestjs/common';
import { AuditService } from 'src/audit/audit.service';
import { TokenFamiliesService } from 'src/token-store/token-families.service';
import { Clock } from 'src/common/clock';
import { sha256Hex } from 'src/common/hashing';
import { seal, unseal } from 'src/common/token-sealing';
import { AppConfig } from 'src/config/app-config';
import { InvalidGrant, InvalidScope } from 'src/oauth/errors/oauth-errors';
import { required, single } from 'src/oauth/request-params';
import { checkResource } from 'src/oauth/resource';
import { checkScope, parseScope } from 'src/oauth/scope';
import { RefreshTokensRepository, StoredRefreshToken } from '../../token-store/refresh-tokens.repository';
import { TokenIssuer, TokenResponse } from '../token-issuer.service';
import { GrantContext, GrantTypeHandler } from './grant-type-handler';
import { refreshScope } from './refresh-scope';

const SUCCESSOR_INFO = 'refresh-successor';

/**
 * RFC 6749 §6 with rotation on every use (OAuth 2.1 §4.3.1) and a grace window that real clients
 * survive: the immediately previous token, presented again within REFRESH_GRACE_SECONDS while its
 * successor is still unused, returns that same successor (and a fresh access token). Anything else
 * presented twice is a replay: the whole grant is revoked.
 */
@Injectable()
export class RefreshTokenGrant implements GrantTypeHandler {
  readonly grantType = 'refresh_token' as const;
  readonly parameters = { required: ['refresh_token'], optional: ['scope', 'resource'] } as const;

  constructor(
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly grants: TokenFamiliesService,
    private readonly issuer: TokenIssuer,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async handle({ client, params }: GrantContext): Promise<TokenResponse> {
    const presented = required(params, 'refresh_token');
    const requestedScope = parseScope(single(params, 'scope'));
    if (requestedScope === null) throw InvalidScope('scope is malformed');
    checkResource(single(params, 'resource'), this.config.mcp.resource);

    const stored = await this.refreshTokens.findByHash(sha256Hex(presented));
    if (!stored) throw InvalidGrant('invalid refresh token');
    if (stored.clientId !== client.clientId) throw InvalidGrant('refresh token was issued to another client');
    const now = this.clock.now();
    if (stored.revoked || stored.grantRevokedAt) throw InvalidGrant('refresh token was revoked');
    if (stored.expiresAt <= now || stored.grantExpiresAt <= now) throw InvalidGrant('refresh token expired');
    // Only what the user and the client may hold now (issue 12 item 4, its own file).
    const { family, scope } = refreshScope(stored.scope, requestedScope, { client, userScopes: stored.userScopes });

    if (stored.usedAt) return this.retry(stored, presented, scope);
    return this.rotate(stored, presented, scope, family);
  }

  private async rotate(
    stored: StoredRefreshToken,
    presented: string,
    scope: string[],
    family: string[],
  ): Promise<TokenResponse> {
    const access = await this.mintAccess(stored, scope);
    const successor = this.issuer.newRefreshToken();
    const won = await this.refreshTokens.rotate({
      oldHash: stored.tokenHash,
      usedAt: this.clock.now(),
      successor: {
        tokenHash: successor.hash,
        clientId: stored.clientId,
        userId: stored.userId,
        scope: family,
        resource: stored.resource,
        grantId: stored.grantId,
        parentHash: stored.tokenHash,
        expiresAt: this.issuer.refreshExpiry(stored.grantExpiresAt),
      },
      successorCiphertext: seal(successor.token, presented, SUCCESSOR_INFO),
      access: access.record,
    });
    if (won) {
      this.audit.record({ type: 'token.refreshed', outcome: 'success', userId: stored.userId, clientId: stored.clientId });
      return this.issuer.response(access, successor.token);
    }
    // Another request rotated it a moment ago: answer as a retry of the same token.
    const now = await this.refreshTokens.findByHash(stored.tokenHash);
    if (!now) throw InvalidGrant('invalid refresh token');
    return this.retry(now, presented, scope);
  }

  /** The token was already rotated: within grace, hand back its successor; otherwise it is a replay. */
  private async retry(stored: StoredRefreshToken, presented: string, scope: string[]): Promise<TokenResponse> {
    const withinGrace =
      stored.usedAt !== null && this.clock.now().getTime() - stored.usedAt.getTime() <= this.config.ttl.refreshGrace * 1000;
    const successorUnused = stored.successorUsedAt === null && stored.successorRevoked !== true;
    const successor =
      withinGrace && successorUnused && stored.successorCiphertext
        ? unseal(stored.successorCiphertext, presented, SUCCESSOR_INFO)
        : null;
    if (!successor) {
      await this.grants.revoke(stored.grantId, 'refresh_replay');
      this.audit.record({
        type: 'refresh.replayed',
        outcome: 'failure',
        userId: stored.userId,
        clientId: stored.clientId,
        details: { grant_id: stored.grantId, family_revoked: true },
      });
      throw InvalidGrant('refresh token was already used');
    }
    const access = await this.mintAccess(stored, scope);
    await this.issuer.recordAccess(access);
    // Every grace use is on record: within the window anyone holding the old token gets the same
    // successor, so an unexpected pattern of these is worth a look (docs/security.md §12.6).
    this.audit.record({
      type: 'refresh.grace_used',
      outcome: 'success',
      userId: stored.userId,
      clientId: stored.clientId,
      details: {
        grant_id: stored.grantId,
        grace_seconds: this.config.ttl.refreshGrace,
        since_rotation_ms: this.clock.now().getTime() - stored.usedAt!.getTime(),
      },
    });
    return this.issuer.response(access, successor);
  }

  /** A new access token in the same family (same user, client, resource, grant). */
  private mintAccess(stored: StoredRefreshToken, scope: string[]) {
    return this.issuer.mintAccess({
      clientId: stored.clientId,
      userId: stored.userId,
      scope,
      resource: stored.resource,
      grantId: stored.grantId,
    });
  }
}
