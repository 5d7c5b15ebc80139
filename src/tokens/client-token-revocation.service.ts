import { Injectable, OnModuleInit } from '@nestjs/common';
import { GrantRevocationReason, GrantsService } from 'src/authorization/grants.service';
import { ClientDeletion } from 'src/clients/client-deletion.service';
import { Clock } from 'src/common/clock';
import { AccessTokensRepository } from './access-tokens.repository';
import { RevocationChecker } from './keys/revocation-checker';
import { RevocationBroadcaster } from './revocation/revocation-broadcaster';

/**
 * Kills everything a client holds: every grant issued to it (so every refresh and access token of
 * those families) and every access token it got for itself (client_credentials has no grant).
 * Used when an administrator disables a client, and before any client is deleted (registered
 * with `ClientDeletion`, the one delete path of admin API and RFC 7592).
 */
@Injectable()
export class ClientTokenRevocationService implements OnModuleInit {
  constructor(
    private readonly grants: GrantsService,
    private readonly accessTokens: AccessTokensRepository,
    private readonly revocations: RevocationChecker,
    private readonly broadcaster: RevocationBroadcaster,
    private readonly clock: Clock,
    private readonly deletion: ClientDeletion,
  ) {}

  onModuleInit(): void {
    this.deletion.beforeDelete((clientId) => this.revokeAllForClient(clientId, 'client_deleted'));
  }

  /** Returns how many grants and stand-alone live access tokens were revoked. */
  async revokeAllForClient(
    clientId: string,
    reason: GrantRevocationReason,
  ): Promise<{ grants: number; accessTokens: number }> {
    const grants = await this.grants.revokeForClient(clientId, reason);
    const tokens = await this.accessTokens.revokeAllForClient(clientId, this.clock.now());
    for (const { jti, expiresAt } of tokens) {
      this.revocations.markRevoked(jti, Math.floor(expiresAt.getTime() / 1000));
    }
    await Promise.all(tokens.map(({ jti }) => this.broadcaster.tokenRevoked(jti)));
    return { grants, accessTokens: tokens.length };
  }
}
