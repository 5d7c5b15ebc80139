import { Injectable } from '@nestjs/common';
import { HotSql } from 'src/database/hot-sql';

export interface AccessTokenRevocationState {
  revoked: boolean;
  expiresAt: Date;
}

/*
 * One round trip: the token's own flag and its grant's (a replayed code or refresh token revokes
 * the whole family through grants.revoked_at).
 */
const REVOCATION_STATE_SQL = `
SELECT (t.revoked OR g.revoked_at IS NOT NULL) AS revoked, t.expires_at AS expires_at
FROM access_tokens t LEFT JOIN grants g ON g.id = t.grant_id
WHERE t.jti = $1`;

/** Read-only view of access_tokens for the bearer check. */
@Injectable()
export class AccessTokenRevocationRepository {
  constructor(private readonly sql: HotSql) {}

  /** The token's revocation state, or null when no such jti was ever issued (or it was purged). */
  async findRevocationState(jti: string): Promise<AccessTokenRevocationState | null> {
    const rows = await this.sql.query<{ revoked: boolean; expires_at: Date | string }>(REVOCATION_STATE_SQL, [jti]);
    const row = rows[0];
    if (!row) return null;
    return { revoked: row.revoked === true, expiresAt: new Date(row.expires_at) };
  }
}
