import { Injectable } from '@nestjs/common';
import { Clock } from 'src/common/clock';
import { Grant } from 'src/tokens/grant.entity';
import { RevocationChecker } from 'src/tokens/keys/revocation-checker';
import { RevocationBroadcaster } from 'src/tokens/revocation/revocation-broadcaster';
import { GrantsRepository, NewGrant } from './grants.repository';

export type GrantRevocationReason =
  | 'code_replay'
  | 'refresh_replay'
  | 'consent_revoked'
  | 'revoked'
  | 'user_disabled'
  | 'password_reset'
  | 'client_disabled'
  | 'client_deleted';

/** Authorization chains: created with a code, revoked as a whole on replay or by the person. */
@Injectable()
export class GrantsService {
  constructor(
    private readonly grants: GrantsRepository,
    private readonly clock: Clock,
    private readonly revocations: RevocationChecker,
    private readonly broadcaster: RevocationBroadcaster,
  ) {}

  create(grant: NewGrant): Promise<Grant> {
    return this.grants.create(grant);
  }

  findById(id: string): Promise<Grant | null> {
    return this.grants.findById(id);
  }

  /**
   * Revokes the grant; every cached "not revoked" answer is dropped, here and (by broadcast) on
   * every other instance, so it holds at once.
   */
  async revoke(id: string, reason: GrantRevocationReason): Promise<boolean> {
    const revoked = await this.grants.revoke(id, reason, this.clock.now());
    if (revoked) {
      this.revocations.invalidateAll();
      await this.broadcaster.grantRevoked(id);
    }
    return revoked;
  }

  async revokeForUserAndClient(userId: string, clientId: string, reason: GrantRevocationReason): Promise<number> {
    const ids = await this.grants.revokeForUserAndClient(userId, clientId, reason, this.clock.now());
    if (ids.length > 0) {
      this.revocations.invalidateAll();
      await Promise.all(ids.map((id) => this.broadcaster.grantRevoked(id)));
    }
    return ids.length;
  }

  /** Revokes every grant the person holds (disabled account, password reset). */
  async revokeForUser(userId: string, reason: GrantRevocationReason): Promise<number> {
    return this.revokedAll(await this.grants.revokeForUser(userId, reason, this.clock.now()));
  }

  /** Revokes every grant issued to the client (disabled or deleted client). */
  async revokeForClient(clientId: string, reason: GrantRevocationReason): Promise<number> {
    return this.revokedAll(await this.grants.revokeForClient(clientId, reason, this.clock.now()));
  }

  /** Per client, when it last obtained a token for the person (for "connected apps"). */
  lastUsedByClient(userId: string): Promise<Map<string, Date>> {
    return this.grants.lastUsedByClient(userId);
  }

  private async revokedAll(ids: string[]): Promise<number> {
    if (ids.length > 0) {
      this.revocations.invalidateAll();
      await Promise.all(ids.map((id) => this.broadcaster.grantRevoked(id)));
    }
    return ids.length;
  }
}
