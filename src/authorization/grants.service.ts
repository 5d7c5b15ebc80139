import { Injectable } from '@nestjs/common';
import { Clock } from 'src/common/clock';
import { Grant } from 'src/tokens/grant.entity';
import { GrantsRepository, NewGrant } from './grants.repository';

export type GrantRevocationReason = 'code_replay' | 'refresh_replay' | 'consent_revoked' | 'revoked' | 'user_disabled';

/** Authorization chains: created with a code, revoked as a whole on replay or by the person. */
@Injectable()
export class GrantsService {
  constructor(
    private readonly grants: GrantsRepository,
    private readonly clock: Clock,
  ) {}

  create(grant: NewGrant): Promise<Grant> {
    return this.grants.create(grant);
  }

  findById(id: string): Promise<Grant | null> {
    return this.grants.findById(id);
  }

  revoke(id: string, reason: GrantRevocationReason): Promise<boolean> {
    return this.grants.revoke(id, reason, this.clock.now());
  }

  revokeForUserAndClient(userId: string, clientId: string, reason: GrantRevocationReason): Promise<number> {
    return this.grants.revokeForUserAndClient(userId, clientId, reason, this.clock.now());
  }
}
