import { EntityManager } from 'typeorm';
import { PURGE_LOCK_NAMESPACE, purgeBatch, PurgeSpec } from './batched-purge';

const SPEC: PurgeSpec = {
  lock: 'access_tokens',
  table: 'access_tokens',
  key: 'jti',
  where: 't.expires_at < $1 AND t.x < $3',
  orderBy: 't.expires_at',
};

/** A manager whose transaction records its statements; the lock is free unless `held`. */
function manager(held: boolean) {
  const statements: Array<{ sql: string; params: unknown[] }> = [];
  const tx = {
    query: jest.fn(async (sql: string, params: unknown[]) => {
      statements.push({ sql, params });
      return sql.includes('pg_try_advisory_xact_lock') ? [{ locked: !held }] : [[], 7];
    }),
  };
  const m = {
    transaction: jest.fn(async (work: (t: typeof tx) => Promise<unknown>) => work(tx)),
  };
  return { m: m as unknown as EntityManager, statements };
}

describe(purgeBatch.name, () => {
  it('should take the table lock, then delete one ordered, bounded, skip-locked batch', async () => {
    const { m, statements } = manager(false);
    expect(await purgeBatch(m, SPEC, 1000, ['2026-01-01', 'third'])).toBe(7);
    expect(statements[0].params).toEqual([PURGE_LOCK_NAMESPACE, 'maintenance:access_tokens']);
    const { sql, params } = statements[1];
    expect(sql.replace(/\s+/g, ' ')).toBe(
      'DELETE FROM access_tokens WHERE jti = ANY (ARRAY( SELECT t.jti FROM access_tokens t ' +
        'WHERE t.expires_at < $1 AND t.x < $3 ORDER BY t.expires_at LIMIT $2 FOR UPDATE SKIP LOCKED))',
    );
    expect(params).toEqual(['2026-01-01', 1000, 'third']);
  });

  it('should delete nothing and return null while another instance holds the lock', async () => {
    const { m, statements } = manager(true);
    expect(await purgeBatch(m, SPEC, 1000, ['2026-01-01'])).toBeNull();
    expect(statements).toHaveLength(1);
  });
});
