import { Injectable } from '@nestjs/common';
import { HotSql } from 'src/database/hot-sql';
import { StatementBatcher } from 'src/database/statement-batcher';

export interface AccessTokenRecord {
  jti: string;
  clientId: string;
  userId: string | null;
  scope: string[];
  resource: string;
  grantId: string | null;
  expiresAt: Date;
}

export interface RefreshTokenRecord {
  tokenHash: string;
  clientId: string;
  userId: string | null;
  scope: string[];
  resource: string;
  grantId: string;
  parentHash: string | null;
  expiresAt: Date;
}

/** Access tokens recorded together at most (one statement, one round trip). */
export const MAX_ACCESS_BATCH = 100;
/** Batches in flight at most; tokens issued meanwhile wait for the next (group commit). */
export const MAX_BATCHES_IN_FLIGHT = 2;

const INSERT_ACCESS_BATCH = `INSERT INTO access_tokens (jti, client_id, user_id, scope, resource, grant_id, expires_at)
  SELECT jti, client_id, user_id, string_to_array(scope, ' '), resource, grant_id, expires_at
    FROM unnest($1::varchar[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::uuid[], $7::timestamptz[])
      AS t(jti, client_id, user_id, scope, resource, grant_id, expires_at)`;

/**
 * Records what the token endpoint issued: the access token's jti and, with it, the refresh token's
 * hash, in ONE statement (one round trip per issuance, docs/architecture.md §5). Access tokens issued
 * alone (client_credentials, refresh retries) are group-committed (StatementBatcher): those of one
 * event-loop turn, and those issued while MAX_BATCHES_IN_FLIGHT batches are being written, go in
 * one multi-row INSERT; each request still answers only after its own row is committed.
 */
@Injectable()
export class IssuedTokensRepository {
  private readonly accessBatches: StatementBatcher<AccessTokenRecord, void>;

  constructor(private readonly sql: HotSql) {
    this.accessBatches = new StatementBatcher({
      maxBatch: MAX_ACCESS_BATCH,
      maxInFlight: MAX_BATCHES_IN_FLIGHT,
      run: (records) => this.insertAccess(records),
    });
  }

  async record(access: AccessTokenRecord, refresh: RefreshTokenRecord | null): Promise<void> {
    if (!refresh) return this.accessBatches.submit(access);
    const a = [access.jti, access.clientId, access.userId, access.scope, access.resource, access.grantId, access.expiresAt];
    await this.sql.prepared(
      'issue_access_refresh',
      `WITH a AS (INSERT INTO access_tokens (jti, client_id, user_id, scope, resource, grant_id, expires_at)
                  VALUES ($1, $2, $3, $4, $5, $6, $7))
       INSERT INTO refresh_tokens (token_hash, client_id, user_id, scope, resource, grant_id, parent_hash, expires_at)
       VALUES ($8, $2, $3, $4, $5, $9, $10, $11)`,
      [...a, refresh.tokenHash, refresh.grantId, refresh.parentHash, refresh.expiresAt],
    );
  }

  private async insertAccess(records: AccessTokenRecord[]): Promise<void[]> {
    const column = <T>(pick: (r: AccessTokenRecord) => T) => records.map(pick);
    await this.sql.prepared('issue_access_batch', INSERT_ACCESS_BATCH, [
      column((r) => r.jti),
      column((r) => r.clientId),
      column((r) => r.userId),
      column((r) => r.scope.join(' ')),
      column((r) => r.resource),
      column((r) => r.grantId),
      column((r) => r.expiresAt),
    ]);
    return records.map(() => undefined);
  }
}
