import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

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

/**
 * Records what the token endpoint issued: the access token's jti and, with it, the refresh token's
 * hash, in ONE statement (one round trip per issuance, docs/architecture.md §5).
 */
@Injectable()
export class IssuedTokensRepository {
  constructor(private readonly dataSource: DataSource) {}

  async record(access: AccessTokenRecord, refresh: RefreshTokenRecord | null): Promise<void> {
    const a = [access.jti, access.clientId, access.userId, access.scope, access.resource, access.grantId, access.expiresAt];
    const insertAccess = `INSERT INTO access_tokens (jti, client_id, user_id, scope, resource, grant_id, expires_at)
                          VALUES ($1, $2, $3, $4, $5, $6, $7)`;
    if (!refresh) {
      await this.dataSource.query(insertAccess, a);
      return;
    }
    await this.dataSource.query(
      `WITH a AS (${insertAccess})
       INSERT INTO refresh_tokens (token_hash, client_id, user_id, scope, resource, grant_id, parent_hash, expires_at)
       VALUES ($8, $2, $3, $4, $5, $9, $10, $11)`,
      [...a, refresh.tokenHash, refresh.grantId, refresh.parentHash, refresh.expiresAt],
    );
  }
}
