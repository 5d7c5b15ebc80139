import { Injectable } from '@nestjs/common';
import { HotSql } from 'src/database/hot-sql';
import type { AccessTokenRecord, RefreshTokenRecord } from './issued-tokens.repository';
import { DataSource } from 'typeorm';
import { purgeBatch, PurgeSpec } from 'src/database/batched-purge';
import { StatementBatcher } from 'src/database/statement-batcher';

/** Refresh lookups or rotations sent together at most, and batches of each running at once. */
export const MAX_REFRESH_BATCH = 64;
export const MAX_REFRESH_BATCHES_IN_FLIGHT = 1;

const REFRESH_TOKENS_PURGE: PurgeSpec = {
  lock: 'refresh_tokens',
  table: 'refresh_tokens',
  key: 'token_hash',
  where: 't.expires_at < $1',
  orderBy: 't.expires_at',
};

export interface StoredRefreshToken {
  tokenHash: string;
  clientId: string;
  userId: string | null;
  scope: string[];
  resource: string;
  grantId: string;
  replacedByHash: string | null;
  successorCiphertext: string | null;
  usedAt: Date | null;
  expiresAt: Date;
  revoked: boolean;
  grantRevokedAt: Date | null;
  grantExpiresAt: Date;
  /** The successor's state, when there is one: used, revoked, or not yet stored. */
  successorUsedAt: Date | null;
  successorRevoked: boolean | null;
  /** The user's scopes now (users.scopes, joined in the same query); null without a user. */
  userScopes: string[] | null;
}

type Row = Record<string, unknown>;
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));

function fromRow(r: Row): StoredRefreshToken {
  return {
    tokenHash: r.token_hash as string,
    clientId: r.client_id as string,
    userId: (r.user_id as string) ?? null,
    scope: r.scope as string[],
    resource: r.resource as string,
    grantId: r.grant_id as string,
    replacedByHash: (r.replaced_by_hash as string) ?? null,
    successorCiphertext: (r.successor_ciphertext as string) ?? null,
    usedAt: date(r.used_at),
    expiresAt: date(r.expires_at)!,
    revoked: r.revoked === true,
    grantRevokedAt: date(r.grant_revoked_at),
    grantExpiresAt: date(r.grant_expires_at)!,
    successorUsedAt: date(r.successor_used_at),
    successorRevoked: r.successor_revoked === null || r.successor_revoked === undefined ? null : r.successor_revoked === true,
    userScopes: r.user_id ? ((r.user_scopes as string[] | null) ?? []) : null,
  };
}

const FIND_BY_HASHES = `SELECT rt.token_hash, rt.client_id, rt.user_id, rt.scope, rt.resource, rt.grant_id, rt.replaced_by_hash,
        rt.successor_ciphertext, rt.used_at, rt.expires_at, rt.revoked,
        g.revoked_at AS grant_revoked_at, g.expires_at AS grant_expires_at,
        s.used_at AS successor_used_at, s.revoked AS successor_revoked,
        u.scopes AS user_scopes
   FROM refresh_tokens rt
   JOIN grants g ON g.id = rt.grant_id
   LEFT JOIN refresh_tokens s ON s.token_hash = rt.replaced_by_hash
   LEFT JOIN users u ON u.id = rt.user_id
  WHERE rt.token_hash = ANY($1::varchar[])`;

/*
 * Rotations as ONE statement for a batch: mark each presented token used (only if nobody else
 * did), and store the successor and the new access token of each one that was marked. Scopes
 * travel space-joined (arrays of arrays cannot be unnested row by row).
 */
const ROTATE_BATCH = `WITH input AS (
   SELECT * FROM unnest($1::varchar[], $2::timestamptz[], $3::varchar[], $4::text[], $5::varchar[], $6::uuid[],
                        $7::text[], $8::text[], $9::uuid[], $10::timestamptz[], $11::varchar[], $12::text[], $13::timestamptz[])
     AS i(old_hash, used_at, new_hash, ciphertext, client_id, user_id, scope, resource, grant_id, expires_at,
          jti, access_scope, access_expires_at)
 ), rotated AS (
   UPDATE refresh_tokens r SET used_at = i.used_at, replaced_by_hash = i.new_hash, successor_ciphertext = i.ciphertext
     FROM input i
    WHERE r.token_hash = i.old_hash AND r.used_at IS NULL AND r.revoked = false
   RETURNING r.token_hash
 ), successor AS (
   INSERT INTO refresh_tokens (token_hash, client_id, user_id, scope, resource, grant_id, parent_hash, expires_at)
   SELECT i.new_hash, i.client_id, i.user_id, string_to_array(i.scope, ' '), i.resource, i.grant_id, i.old_hash, i.expires_at
     FROM input i JOIN rotated ON rotated.token_hash = i.old_hash
 ), access AS (
   INSERT INTO access_tokens (jti, client_id, user_id, scope, resource, grant_id, expires_at)
   SELECT i.jti, i.client_id, i.user_id, string_to_array(i.access_scope, ' '), i.resource, i.grant_id, i.access_expires_at
     FROM input i JOIN rotated ON rotated.token_hash = i.old_hash
 )
 SELECT token_hash FROM rotated`;

export interface Rotation {
  oldHash: string;
  usedAt: Date;
  successor: RefreshTokenRecord;
  successorCiphertext: string;
  access: AccessTokenRecord;
}

/**
 * The refresh grant's two steps, each batched across concurrent requests (StatementBatcher,
 * docs/performance.md): the lookup, and the rotation, which stays one statement per batch so
 * that each token has at most one winner.
 */
@Injectable()
export class RefreshTokensRepository {
  private readonly lookups: StatementBatcher<string, StoredRefreshToken | null>;
  private readonly rotations: StatementBatcher<Rotation, boolean>;

  constructor(
    private readonly sql: HotSql,
    private readonly dataSource: DataSource,
  ) {
    const limits = { maxBatch: MAX_REFRESH_BATCH, maxInFlight: MAX_REFRESH_BATCHES_IN_FLIGHT };
    this.lookups = new StatementBatcher({ ...limits, run: (hashes) => this.findMany(hashes) });
    this.rotations = new StatementBatcher({ ...limits, run: (batch) => this.rotateMany(batch) });
  }

  /**
   * The token with its grant's and its successor's state, and the user's current scopes (for
   * refresh narrowing, issue 12 item 4: joined here so the check adds no round trip), in one query.
   */
  findByHash(tokenHash: string): Promise<StoredRefreshToken | null> {
    return this.lookups.submit(tokenHash);
  }

  /**
   * Rotation: mark the presented token used (only if nobody else did), and in the same statement
   * store its successor and the new access token. Returns false when another request rotated it
   * first; then nothing was written for this request.
   */
  rotate(rotation: Rotation): Promise<boolean> {
    return this.rotations.submit(rotation);
  }

  private async findMany(hashes: string[]): Promise<(StoredRefreshToken | null)[]> {
    const rows: Row[] = await this.sql.query(FIND_BY_HASHES, [[...new Set(hashes)]]);
    const byHash = new Map(rows.map((r) => [r.token_hash as string, r]));
    return hashes.map((h) => {
      const row = byHash.get(h);
      return row ? fromRow(row) : null;
    });
  }

  private async rotateMany(batch: Rotation[]): Promise<boolean[]> {
    // The same token twice in one batch (two requests presenting it at once): only the first is
    // sent, the others lost the race, as they would against a committed rotation.
    const first = new Map<string, Rotation>();
    for (const r of batch) if (!first.has(r.oldHash)) first.set(r.oldHash, r);
    const sent = [...first.values()];
    const col = <T>(pick: (r: Rotation) => T) => sent.map(pick);
    const rows: Row[] = await this.sql.query(ROTATE_BATCH, [
      col((r) => r.oldHash),
      col((r) => r.usedAt),
      col((r) => r.successor.tokenHash),
      col((r) => r.successorCiphertext),
      col((r) => r.successor.clientId),
      col((r) => r.successor.userId),
      col((r) => r.successor.scope.join(' ')),
      col((r) => r.successor.resource),
      col((r) => r.successor.grantId),
      col((r) => r.successor.expiresAt),
      col((r) => r.access.jti),
      col((r) => r.access.scope.join(' ')),
      col((r) => r.access.expiresAt),
    ]);
    const won = new Set(rows.map((r) => r.token_hash as string));
    return batch.map((r) => first.get(r.oldHash) === r && won.has(r.oldHash));
  }

  /**
   * Maintenance's purge (docs/architecture.md §3): deletes at most `limit` refresh tokens expired
   * before `now`; null when another instance is purging them right now.
   */
  purgeExpired(now: Date, limit: number): Promise<number | null> {
    return purgeBatch(this.dataSource.manager, REFRESH_TOKENS_PURGE, limit, [now.toISOString()]);
  }
}
