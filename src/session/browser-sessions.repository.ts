import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { BrowserSession } from './browser-session.entity';
import { purgeBatch, PurgeSpec } from 'src/database/batched-purge';

const SESSIONS_PURGE: PurgeSpec = {
  lock: 'browser_sessions',
  table: 'browser_sessions',
  key: 'id_hash',
  where: 't.expires_at < $1',
  orderBy: 't.expires_at',
};

/** browser_sessions: one row per signed-in browser, keyed by the SHA-256 of the cookie's session id. */
@Injectable()
export class BrowserSessionsRepository {
  constructor(
    @InjectRepository(BrowserSession) private readonly repo: Repository<BrowserSession>,
  ) {}

  /** Records a new session, and in the same statement forgets the user's expired ones. */
  async create(idHash: string, userId: string, expiresAt: Date, now: Date): Promise<void> {
    await this.repo.query(
      `WITH expired AS (
         DELETE FROM browser_sessions WHERE user_id = $2 AND expires_at <= $4
       )
       INSERT INTO browser_sessions (id_hash, user_id, expires_at) VALUES ($1, $2, $3)`,
      [idHash, userId, expiresAt, now],
    );
  }

  /** The user of a live session, or null when it was ended or has expired. */
  async liveUserId(idHash: string, now: Date): Promise<string | null> {
    const rows = (await this.repo.query(
      `SELECT user_id FROM browser_sessions WHERE id_hash = $1 AND expires_at > $2`,
      [idHash, now],
    )) as Array<{ user_id: string }>;
    return rows[0]?.user_id ?? null;
  }

  async delete(idHash: string): Promise<void> {
    await this.repo.delete({ idHash });
  }

  /** Ends every session of the user; returns how many there were. */
  async deleteForUser(userId: string): Promise<number> {
    const result = await this.repo.delete({ userId });
    return result.affected ?? 0;
  }

  /**
   * Maintenance's purge (docs/architecture.md §3) of expired sessions (SessionService ends live
   * ones): at most `limit`; null when another instance is purging them right now.
   */
  purgeExpired(now: Date, limit: number): Promise<number | null> {
    return purgeBatch(this.repo.manager, SESSIONS_PURGE, limit, [now.toISOString()]);
  }
}
