import { Injectable } from '@nestjs/common';
import { AuditEventsRepository } from 'src/audit/audit-events.repository';
import { AuthorizationCodesRepository } from 'src/authorization/authorization-codes.repository';
import { BrowserSessionsRepository } from 'src/session/browser-sessions.repository';
import { AccessTokensRepository } from 'src/token-store/access-tokens.repository';
import { RefreshTokensRepository } from 'src/token-store/refresh-tokens.repository';
import { TokenFamiliesRepository } from 'src/token-store/token-families.repository';

/** What the purge deletes, oldest dependants first (families cascade to whatever is left of theirs). */
export type PurgeTarget =
  | 'access_tokens'
  | 'refresh_tokens'
  | 'authorization_codes'
  | 'grants'
  | 'audit_events'
  | 'browser_sessions';

/**
 * The purge's targets, each deleted by its owner (docs/architecture.md §3): maintenance holds no
 * SQL of its own tables. Each owner's purge deletes one bounded batch in a short transaction under
 * that table's advisory lock (src/database/batched-purge.ts), and returns null when another
 * instance holds it.
 */
@Injectable()
export class PurgeTargets {
  constructor(
    private readonly accessTokens: AccessTokensRepository,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly codes: AuthorizationCodesRepository,
    private readonly families: TokenFamiliesRepository,
    private readonly audit: AuditEventsRepository,
    private readonly sessions: BrowserSessionsRepository,
  ) {}

  /**
   * Deletes at most `limit` rows of `target` older than `cutoff` (`replayCutoff`: consumed codes);
   * null, deleting nothing, when another instance is purging the same table right now.
   */
  deleteBatch(
    target: PurgeTarget,
    cutoff: Date,
    limit: number,
    replayCutoff: Date = cutoff,
  ): Promise<number | null> {
    switch (target) {
      case 'access_tokens':
        return this.accessTokens.purgeExpired(cutoff, limit);
      case 'refresh_tokens':
        return this.refreshTokens.purgeExpired(cutoff, limit);
      case 'authorization_codes':
        return this.codes.purgeExpired(cutoff, replayCutoff, limit);
      case 'grants':
        return this.families.purgeExpired(cutoff, limit);
      case 'audit_events':
        return this.audit.purgeBefore(cutoff, limit);
      case 'browser_sessions':
        return this.sessions.purgeExpired(cutoff, limit);
    }
  }
}
