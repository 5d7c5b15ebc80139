import { Injectable } from '@nestjs/common';
import { Clock } from 'src/common/clock';
import { isSubset } from 'src/oauth/scope';
import { Consent } from './consent.entity';
import { ConsentsRepository } from './consents.repository';

/** What people have allowed applications to do. */
@Injectable()
export class ConsentService {
  constructor(
    private readonly consents: ConsentsRepository,
    private readonly clock: Clock,
  ) {}

  /** True when an active consent already covers every requested scope. */
  async covers(userId: string, clientId: string, scope: string[]): Promise<boolean> {
    const consent = await this.consents.findActive(userId, clientId);
    return consent !== null && isSubset(scope, consent.scope);
  }

  grant(userId: string, clientId: string, scope: string[]): Promise<void> {
    return this.consents.upsert(userId, clientId, scope, this.clock.now());
  }

  revoke(userId: string, clientId: string): Promise<boolean> {
    return this.consents.revoke(userId, clientId, this.clock.now());
  }

  /** The person's active consents, newest first (the "connected apps" page). */
  listActive(userId: string): Promise<Consent[]> {
    return this.consents.findActiveForUser(userId);
  }
}
