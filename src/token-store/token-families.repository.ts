import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { TokenFamily } from 'src/token-store/token-family.entity';
import { purgeBatch, PurgeSpec } from 'src/database/batched-purge';

const FAMILIES_PURGE: PurgeSpec = {
  lock: 'grants',
  table: 'grants',
  key: 'id',
  where:
    't.expires_at < $1 AND NOT EXISTS (SELECT 1 FROM access_tokens a WHERE a.grant_id = t.id AND a.expires_at >= $1)',
  orderBy: 't.expires_at',
};

export type NewGrant = Pick<TokenFamily, 'userId' | 'clientId' | 'scope' | 'resource' | 'expiresAt'>;

@Injectable()
export class TokenFamiliesRepository {
  constructor(@InjectRepository(TokenFamily) private readonly repo: Repository<TokenFamily>) {}

  async create(grant: NewGrant): Promise<TokenFamily> {
    return this.repo.save(this.repo.create(grant));
  }

  findById(id: string): Promise<TokenFamily | null> {
    return this.repo.findOneBy({ id });
  }

  /** Revokes the grant (and so every token of its family); false if it already was. */
  async revoke(id: string, reason: string, at: Date): Promise<boolean> {
    const result = await this.repo.update({ id, revokedAt: IsNull() }, { revokedAt: at, revokedReason: reason });
    return (result.affected ?? 0) > 0;
  }

  /** Revokes every live grant of the pair; returns the ids it revoked. */
  revokeForUserAndClient(userId: string, clientId: string, reason: string, at: Date): Promise<string[]> {
    return this.revokeLive('user_id = $3 AND client_id = $4', [userId, clientId], reason, at);
  }

  /** Revokes every live grant of the person (all clients); returns the ids it revoked. */
  revokeForUser(userId: string, reason: string, at: Date): Promise<string[]> {
    return this.revokeLive('user_id = $3', [userId], reason, at);
  }

  /** Revokes every live grant issued to the client (all people); returns the ids it revoked. */
  revokeForClient(clientId: string, reason: string, at: Date): Promise<string[]> {
    return this.revokeLive('client_id = $3', [clientId], reason, at);
  }

  /** One UPDATE for the live grants matching `where` (parameters from $3 on). */
  private async revokeLive(where: string, params: string[], reason: string, at: Date): Promise<string[]> {
    const [rows] = (await this.repo.query(
      `UPDATE grants SET revoked_at = $1, revoked_reason = $2
        WHERE ${where} AND revoked_at IS NULL
        RETURNING id`,
      [at, reason, ...params],
    )) as [Array<{ id: string }>, number];
    return rows.map((r) => r.id);
  }

  /**
   * When each client last got a token for the person: the newest access token issued from any of
   * their grants (a refresh issues one too), per client.
   */
  async lastUsedByClient(userId: string): Promise<Map<string, Date>> {
    const rows = (await this.repo.query(
      `SELECT g.client_id AS client_id, max(a.created_at) AS last_used_at
         FROM grants g JOIN access_tokens a ON a.grant_id = g.id
        WHERE g.user_id = $1
        GROUP BY g.client_id`,
      [userId],
    )) as Array<{ client_id: string; last_used_at: Date | string }>;
    return new Map(rows.map((r) => [r.client_id, new Date(r.last_used_at)]));
  }

  /**
   * Maintenance's purge (docs/architecture.md §3): deletes at most `limit` families ended before
   * `now`, with whatever is left of their codes and tokens (ON DELETE CASCADE). An access token
   * may outlive its family by up to its lifetime: the family (and by cascade the token's row,
   * without which the token reads as revoked) goes only when no such token is left. Null when
   * another instance is purging families right now.
   */
  purgeExpired(now: Date, limit: number): Promise<number | null> {
    return purgeBatch(this.repo.manager, FAMILIES_PURGE, limit, [now.toISOString()]);
  }
}
