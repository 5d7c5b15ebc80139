import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AuthorizationCode } from './authorization-code.entity';
import { purgeBatch, PurgeSpec } from 'src/database/batched-purge';

const CODES_PURGE: PurgeSpec = {
  lock: 'authorization_codes',
  table: 'authorization_codes',
  key: 'code_hash',
  where: 't.expires_at < $1 AND (t.expires_at < $3 OR t.consumed_at IS NULL)',
  orderBy: 't.expires_at',
};

export type NewAuthorizationCode = Omit<AuthorizationCode, 'consumedAt' | 'createdAt' | 'client' | 'user' | 'grant'>;

type Row = Record<string, unknown>;

function fromRow(r: Row): AuthorizationCode {
  return {
    codeHash: r.code_hash as string,
    clientId: r.client_id as string,
    userId: r.user_id as string,
    redirectUri: r.redirect_uri as string,
    scope: r.scope as string[],
    resource: r.resource as string,
    codeChallenge: r.code_challenge as string,
    codeChallengeMethod: r.code_challenge_method as string,
    grantId: r.grant_id as string,
    expiresAt: new Date(r.expires_at as string),
    consumedAt: r.consumed_at ? new Date(r.consumed_at as string) : null,
    createdAt: new Date(r.created_at as string),
  };
}

@Injectable()
export class AuthorizationCodesRepository {
  constructor(@InjectRepository(AuthorizationCode) private readonly repo: Repository<AuthorizationCode>) {}

  async create(code: NewAuthorizationCode): Promise<void> {
    await this.repo.insert(code);
  }

  /**
   * Single use as one atomic conditional UPDATE (docs/architecture.md §4): of two concurrent callers
   * exactly one gets the row back.
   */
  async consume(codeHash: string, at: Date): Promise<AuthorizationCode | null> {
    const [rows] = (await this.repo.query(
      `UPDATE authorization_codes SET consumed_at = $2
        WHERE code_hash = $1 AND consumed_at IS NULL
        RETURNING *`,
      [codeHash, at],
    )) as [Row[], number];
    return rows.length ? fromRow(rows[0]) : null;
  }

  findByHash(codeHash: string): Promise<AuthorizationCode | null> {
    return this.repo.findOneBy({ codeHash });
  }

  /**
   * Maintenance's purge (docs/architecture.md §3): deletes at most `limit` codes expired before
   * `now`. An unconsumed code is worthless once expired; a consumed one is kept until
   * `replayCutoff`: while it exists, presenting it again is detected as a replay and revokes its
   * grant. Null when another instance is purging codes right now.
   */
  purgeExpired(now: Date, replayCutoff: Date, limit: number): Promise<number | null> {
    return purgeBatch(this.repo.manager, CODES_PURGE, limit, [
      now.toISOString(),
      replayCutoff.toISOString(),
    ]);
  }
}
