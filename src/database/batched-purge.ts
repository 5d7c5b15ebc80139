import { EntityManager } from 'typeorm';

/** Any constant shared by every instance: the first key of the two-key purge locks below. */
export const PURGE_LOCK_NAMESPACE = 727_002;

/** One owner's purge of one table: a batch is the rows of `table` matching `where`. */
export interface PurgeSpec {
  /** The lock's name (`maintenance:<lock>`): two instances never purge one table at once. */
  lock: string;
  table: string;
  key: string;
  /** Over alias `t`; $1, $3, … are the owner's parameters, $2 is always the batch limit. */
  where: string;
  /** An indexed column: each batch then reads its rows from the index, never the whole table. */
  orderBy?: string;
}

function deleteSql({ table, key, where, orderBy }: PurgeSpec): string {
  // `= ANY(ARRAY(…))`, not `IN (…)`: the planner then fetches the batch by primary key instead of
  // hash-joining it against a scan of the whole table. SKIP LOCKED: rows a request is updating
  // are left for the next batch or run rather than waited for.
  const order = orderBy ? ` ORDER BY ${orderBy}` : '';
  return `DELETE FROM ${table} WHERE ${key} = ANY (ARRAY(
    SELECT t.${key} FROM ${table} t WHERE ${where}${order} LIMIT $2 FOR UPDATE SKIP LOCKED))`;
}

/**
 * Runs `work` in a transaction holding the transaction-scoped advisory lock `maintenance:<lock>`;
 * returns null, running nothing, when another instance holds it. COMMIT/ROLLBACK release it, and
 * the transaction issues its statements on its own runner only, so PGlite's single connection is
 * held for short statements and never waits on another query.
 */
export function withPurgeLock<T>(
  manager: EntityManager,
  lock: string,
  work: (tx: EntityManager) => Promise<T>,
): Promise<T | null> {
  return manager.transaction(async (tx) => {
    const [{ locked }] = (await tx.query(
      'SELECT pg_try_advisory_xact_lock($1::int, hashtext($2)) AS locked',
      [PURGE_LOCK_NAMESPACE, `maintenance:${lock}`],
    )) as Array<{ locked: boolean }>;
    return locked ? work(tx) : null;
  });
}

/**
 * Deletes at most `limit` rows of `spec` under its lock, in one short transaction (the owner's
 * purge, called by the maintenance jobs: docs/architecture.md §3). `params` are $1, $3, $4, …
 * Returns how many went, or null when another instance is purging the same table right now.
 */
export async function purgeBatch(
  manager: EntityManager,
  spec: PurgeSpec,
  limit: number,
  params: [unknown, ...unknown[]],
): Promise<number | null> {
  const [first, ...rest] = params;
  return withPurgeLock(manager, spec.lock, async (tx) => {
    const [, affected] = (await tx.query(deleteSql(spec), [first, limit, ...rest])) as [
      unknown,
      number,
    ];
    return affected;
  });
}
