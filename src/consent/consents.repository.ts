import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { Consent } from './consent.entity';

@Injectable()
export class ConsentsRepository {
  constructor(@InjectRepository(Consent) private readonly repo: Repository<Consent>) {}

  findActive(userId: string, clientId: string): Promise<Consent | null> {
    return this.repo.findOneBy({ userId, clientId, revokedAt: IsNull() });
  }

  /**
   * Records consent to `scope`, one statement: a new row, or the union with what an active consent
   * already holds (a revoked one is replaced).
   */
  async upsert(userId: string, clientId: string, scope: string[], at: Date): Promise<void> {
    await this.repo.query(
      `INSERT INTO consents (user_id, client_id, scope, granted_at, revoked_at)
       VALUES ($1, $2, $3, $4, NULL)
       ON CONFLICT (user_id, client_id) DO UPDATE SET
         scope = CASE WHEN consents.revoked_at IS NULL
                      THEN ARRAY(SELECT DISTINCT unnest(consents.scope || EXCLUDED.scope) ORDER BY 1)
                      ELSE EXCLUDED.scope END,
         granted_at = EXCLUDED.granted_at,
         revoked_at = NULL`,
      [userId, clientId, scope, at],
    );
  }

  async revoke(userId: string, clientId: string, at: Date): Promise<boolean> {
    const result = await this.repo.update({ userId, clientId, revokedAt: IsNull() }, { revokedAt: at });
    return (result.affected ?? 0) > 0;
  }

  findActiveForUser(userId: string): Promise<Consent[]> {
    return this.repo.find({ where: { userId, revokedAt: IsNull() }, order: { grantedAt: 'DESC' } });
  }
}
