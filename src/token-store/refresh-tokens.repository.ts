import { Injectable } from '@nestjs/common';
import { HotSql } from 'src/database/hot-sql';
import type { AccessTokenRecord, RefreshTokenRecord } from './issued-tokens.repository';
import { DataSource } from 'typeorm';
import { purgeBatch, PurgeSpec } from 'src/database/batched-purge';

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

@Injectable()
export class RefreshTokensRepository {
  constructor(
    private readonly sql: HotSql,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * The token with its grant's and its successor's state, and the user's current scopes (for
   * refresh narrowing, issue 12 item 4: joined here so the check adds no round trip), in one query.
   */
  async findByHash(tokenHash: string): Promise<StoredRefreshToken | null> {
    const rows: Row[] = await this.sql.query(
      'refresh_find_by_hash',
      `SELECT rt.token_hash, rt.client_id, rt.user_id, rt.scope, rt.resource, rt.grant_id, rt.replaced_by_hash,
              rt.successor_ciphertext, rt.used_at, rt.expires_at, rt.revoked,
              g.revoked_at AS grant_revoked_at, g.expires_at AS grant_expires_at,
              s.used_at AS successor_used_at, s.revoked AS successor_revoked,
              u.scopes AS user_scopes
         FROM refresh_tokens rt
         JOIN grants g ON g.id = rt.grant_id
         LEFT JOIN refresh_tokens s ON s.token_hash = rt.replaced_by_hash
         LEFT JOIN users u ON u.id = rt.user_id
        WHERE rt.token_hash = $1`,
      [tokenHash],
    );
    return rows.length ? fromRow(rows[0]) : null;
  }

  /**
   * Rotation as ONE statement: mark the presented token used (only if nobody else did), and in the
   * same statement store its successor and the new access token. Returns false when another request
   * rotated it first; then nothing was written.
   */
  async rotate(
    oldHash: string,
    usedAt: Date,
    successor: RefreshTokenRecord,
    successorCiphertext: string,
    access: AccessTokenRecord,
  ): Promise<boolean> {
    const rows: Row[] = await this.sql.query(
      'refresh_rotate',
      `WITH rotated AS (
         UPDATE refresh_tokens SET used_at = $2, replaced_by_hash = $3, successor_ciphertext = $4
          WHERE token_hash = $1 AND used_at IS NULL AND revoked = false
          RETURNING token_hash
       ), successor AS (
         INSERT INTO refresh_tokens (token_hash, client_id, user_id, scope, resource, grant_id, parent_hash, expires_at)
         SELECT $3, $5, $6, $7, $8, $9, token_hash, $10 FROM rotated
       ), access AS (
         INSERT INTO access_tokens (jti, client_id, user_id, scope, resource, grant_id, expires_at)
         SELECT $11, $5, $6, $12, $8, $9, $13 FROM rotated
       )
       SELECT token_hash FROM rotated`,
      [
        oldHash,
        usedAt,
        successor.tokenHash,
        successorCiphertext,
        successor.clientId,
        successor.userId,
        successor.scope,
        successor.resource,
        successor.grantId,
        successor.expiresAt,
        access.jti,
        access.scope,
        access.expiresAt,
      ],
    );
    return rows.length === 1;
  }

  /**
   * Maintenance's purge (docs/architecture.md §3): deletes at most `limit` refresh tokens expired
   * before `now`; null when another instance is purging them right now.
   */
  purgeExpired(now: Date, limit: number): Promise<number | null> {
    return purgeBatch(this.dataSource.manager, REFRESH_TOKENS_PURGE, limit, [now.toISOString()]);
  }
}
