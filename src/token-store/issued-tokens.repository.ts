import { Injectable } from '@nestjs/common';
import { HotSql } from 'src/database/hot-sql';

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

interface PendingAccess {
  record: AccessTokenRecord;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Records what the token endpoint issued: the access token's jti and, with it, the refresh token's
 * hash, in ONE statement (one round trip per issuance, docs/architecture.md §5). Access tokens issued
 * alone (client_credentials, refresh retries) are group-committed: those of one event-loop turn,
 * and those issued while MAX_BATCHES_IN_FLIGHT batches are being written, go in one multi-row
 * INSERT; each request still answers only after its own row is committed (docs/performance.md).
 */
@Injectable()
export class IssuedTokensRepository {
  private pending: PendingAccess[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(private readonly sql: HotSql) {}

  async record(access: AccessTokenRecord, refresh: RefreshTokenRecord | null): Promise<void> {
    if (!refresh) return this.recordAccess(access);
    const a = [access.jti, access.clientId, access.userId, access.scope, access.resource, access.grantId, access.expiresAt];
    await this.sql.query(
      'issue_access_refresh',
      `WITH a AS (INSERT INTO access_tokens (jti, client_id, user_id, scope, resource, grant_id, expires_at)
                  VALUES ($1, $2, $3, $4, $5, $6, $7))
       INSERT INTO refresh_tokens (token_hash, client_id, user_id, scope, resource, grant_id, parent_hash, expires_at)
       VALUES ($8, $2, $3, $4, $5, $9, $10, $11)`,
      [...a, refresh.tokenHash, refresh.grantId, refresh.parentHash, refresh.expiresAt],
    );
  }

  private recordAccess(record: AccessTokenRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ record, resolve, reject });
      this.schedule();
    });
  }

  /** A flush at the end of this turn, unless enough batches are in flight already. */
  private schedule(): void {
    if (this.scheduled || this.pending.length === 0 || this.inFlight >= MAX_BATCHES_IN_FLIGHT) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending.splice(0, MAX_ACCESS_BATCH);
    if (batch.length === 0) return;
    this.inFlight++;
    const column = <T>(pick: (r: AccessTokenRecord) => T) => batch.map((p) => pick(p.record));
    this.sql
      .query('issue_access_batch', INSERT_ACCESS_BATCH, [
        column((r) => r.jti),
        column((r) => r.clientId),
        column((r) => r.userId),
        column((r) => r.scope.join(' ')),
        column((r) => r.resource),
        column((r) => r.grantId),
        column((r) => r.expiresAt),
      ])
      .then(
        () => batch.forEach((p) => p.resolve()),
        (err: unknown) => batch.forEach((p) => p.reject(err)),
      )
      .finally(() => {
        this.inFlight--;
        this.schedule();
      });
    this.schedule();
  }
}
