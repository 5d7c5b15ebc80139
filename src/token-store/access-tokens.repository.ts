import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AccessToken } from './access-token.entity';
import { purgeBatch, PurgeSpec } from 'src/database/batched-purge';

const ACCESS_TOKENS_PURGE: PurgeSpec = {
  lock: 'access_tokens',
  table: 'access_tokens',
  key: 'jti',
  where: 't.expires_at < $1',
  orderBy: 't.expires_at',
};

@Injectable()
export class AccessTokensRepository {
  constructor(@InjectRepository(AccessToken) private readonly repo: Repository<AccessToken>) {}

  findByJti(jti: string): Promise<AccessToken | null> {
    return this.repo.findOneBy({ jti });
  }

  /** Revokes the token if it belongs to `clientId`; false otherwise. */
  async revokeForClient(jti: string, clientId: string): Promise<boolean> {
    const result = await this.repo.update({ jti, clientId }, { revoked: true });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Revokes every live access token of the client (client_credentials tokens have no grant to
   * revoke them through); returns the jtis it revoked with their expiry.
   */
  async revokeAllForClient(
    clientId: string,
    now: Date,
  ): Promise<Array<{ jti: string; expiresAt: Date }>> {
    const [rows] = (await this.repo.query(
      `UPDATE access_tokens SET revoked = true
        WHERE client_id = $1 AND revoked = false AND expires_at > $2
        RETURNING jti, expires_at`,
      [clientId, now],
    )) as [Array<{ jti: string; expires_at: Date | string }>, number];
    return rows.map((r) => ({ jti: r.jti, expiresAt: new Date(r.expires_at) }));
  }

  /**
   * Maintenance's purge (docs/architecture.md §3): deletes at most `limit` access tokens expired
   * before `now`; null when another instance is purging them right now.
   */
  purgeExpired(now: Date, limit: number): Promise<number | null> {
    return purgeBatch(this.repo.manager, ACCESS_TOKENS_PURGE, limit, [now.toISOString()]);
  }
}
