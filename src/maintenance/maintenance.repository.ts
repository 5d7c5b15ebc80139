import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** What the purge deletes, oldest dependants first (grants cascade to whatever is left of theirs). */
export type PurgeTarget =
  | 'access_tokens'
  | 'refresh_tokens'
  | 'authorization_codes'
  | 'grants'
  | 'audit_events'
  | 'browser_sessions'
  | 'dcr_clients';

interface TargetSql {
  table: string;
  key: string;
  /** Over alias `t`; $1 is the cutoff, $3 (codes only) the replay-detection cutoff. */
  where: string;
  /** An indexed column: each batch then reads its rows from the index, never the whole table. */
  orderBy?: string;
}

const TARGETS: Record<PurgeTarget, TargetSql> = {
  access_tokens: {
    table: 'access_tokens',
    key: 'jti',
    where: 't.expires_at < $1',
    orderBy: 't.expires_at',
  },
  refresh_tokens: {
    table: 'refresh_tokens',
    key: 'token_hash',
    where: 't.expires_at < $1',
    orderBy: 't.expires_at',
  },
  // An unconsumed code is worthless once expired. A consumed one is kept a while longer: while
  // it exists, presenting it again is detected as a replay and revokes its grant.
  authorization_codes: {
    table: 'authorization_codes',
    key: 'code_hash',
    where: 't.expires_at < $1 AND (t.expires_at < $3 OR t.consumed_at IS NULL)',
    orderBy: 't.expires_at',
  },
  // An access token may outlive its grant by up to its lifetime: the grant (and by cascade the
  // token's row, without which the token reads as revoked) goes only when no such token is left.
  grants: {
    table: 'grants',
    key: 'id',
    where:
      't.expires_at < $1 AND NOT EXISTS (SELECT 1 FROM access_tokens a WHERE a.grant_id = t.id AND a.expires_at >= $1)',
    orderBy: 't.expires_at',
  },
  audit_events: { table: 'audit_events', key: 'id', where: 't.at < $1', orderBy: 't.at' },
  // Expired browser sessions (the session module ends live ones; issue 12 item 3).
  browser_sessions: {
    table: 'browser_sessions',
    key: 'id_hash',
    where: 't.expires_at < $1',
    orderBy: 't.expires_at',
  },
  dcr_clients: {
    table: 'oauth_clients',
    key: 'client_id',
    where: "t.source = 'dcr' AND coalesce(t.last_used_at, t.created_at) < $1",
  },
};

/** Any constant shared by every instance: the first key of the two-key advisory locks below. */
const MAINTENANCE_LOCK_NAMESPACE = 727_002;

function deleteSql({ table, key, where, orderBy }: TargetSql): string {
  // `= ANY(ARRAY(…))`, not `IN (…)`: the planner then fetches the batch by primary key instead of
  // hash-joining it against a scan of the whole table. SKIP LOCKED: rows a request is updating
  // are left for the next batch or run rather than waited for.
  const order = orderBy ? ` ORDER BY ${orderBy}` : '';
  return `DELETE FROM ${table} WHERE ${key} = ANY (ARRAY(
    SELECT t.${key} FROM ${table} t WHERE ${where}${order} LIMIT $2 FOR UPDATE SKIP LOCKED))`;
}

/** Bounded deletes for the maintenance jobs, each in a short transaction under a per-target lock. */
@Injectable()
export class MaintenanceRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Deletes at most `limit` rows of `target` older than `cutoff` (`replayCutoff`: consumed codes).
   * Returns null, deleting nothing, when another instance holds the target's lock: it is purging
   * the same rows right now. The lock is transaction-scoped (released by COMMIT/ROLLBACK), and the
   * transaction issues its statements on its own runner only, so PGlite's single connection is
   * held for two short statements and never waits on another query.
   */
  async deleteBatch(
    target: Exclude<PurgeTarget, 'dcr_clients'>,
    cutoff: Date,
    limit: number,
    replayCutoff: Date = cutoff,
  ): Promise<number | null> {
    const params: unknown[] = [cutoff.toISOString(), limit];
    if (target === 'authorization_codes') params.push(replayCutoff.toISOString());
    return this.locked(target, async (tx) => {
      const [, affected] = (await tx.query(deleteSql(TARGETS[target]), params)) as [
        unknown,
        number,
      ];
      return affected;
    });
  }

  /**
   * Deletes at most `limit` clients registered through DCR and unused (no token request, or none
   * since registration) before `cutoff`; returns their ids, or null under another instance's lock.
   */
  async deleteUnusedDcrClients(cutoff: Date, limit: number): Promise<string[] | null> {
    return this.locked('dcr_clients', async (tx) => {
      const [rows] = (await tx.query(`${deleteSql(TARGETS.dcr_clients)} RETURNING client_id`, [
        cutoff.toISOString(),
        limit,
      ])) as [Array<{ client_id: string }>, number];
      return rows.map((r) => r.client_id);
    });
  }

  private locked<T>(
    target: PurgeTarget,
    work: (tx: EntityManager) => Promise<T>,
  ): Promise<T | null> {
    return this.dataSource.transaction(async (tx) => {
      const [{ locked }] = (await tx.query(
        'SELECT pg_try_advisory_xact_lock($1::int, hashtext($2)) AS locked',
        [MAINTENANCE_LOCK_NAMESPACE, `maintenance:${target}`],
      )) as Array<{ locked: boolean }>;
      return locked ? work(tx) : null;
    });
  }
}
