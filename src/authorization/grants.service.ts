import { Injectable } from '@nestjs/common';
import { Clock } from 'src/common/clock';
import { Grant } from 'src/tokens/grant.entity';
import { RevocationChecker } from 'src/tokens/keys/revocation-checker';
import { GrantsRepository, NewGrant } from './grants.repository';

export type GrantRevocationReason = 'code_replay' | 'refresh_replay' | 'consent_revoked' | 'revoked' | 'user_disabled';

/** Authorization chains: created with a code, revoked as a whole on replay or by the person. */
@Injectable()
export class GrantsService {
  constructor(
    private readonly grants: GrantsRepository,
    private readonly clock: Clock,
    private readonly revocations: RevocationChecker,
  ) {}

  create(grant: NewGrant): Promise<Grant> {
    return this.grants.create(grant);
  }

  findById(id: string): Promise<Grant | null> {
    return this.grants.findById(id);
  }

  /** Revokes the grant; every cached "not revoked" answer is dropped so it holds at once. */
  async revoke(id: string, reason: GrantRevocationReason): Promise<boolean> {
    const revoked = await this.grants.revoke(id, reason, this.clock.now());
    if (revoked) this.revocations.invalidateAll();
    return revoked;
  }

  async revokeForUserAndClient(userId: string, clientId: string, reason: GrantRevocationReason): Promise<number> {
    const count = await this.grants.revokeForUserAndClient(userId, clientId, reason, this.clock.now());
    if (count > 0) this.revocations.invalidateAll();
    return count;
  }
}
