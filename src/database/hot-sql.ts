import { Injectable } from '@nestjs/common';
import type { Pool, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';

/**
 * The hot path's statements (token issuing, refresh rotation, revocation state), sent straight to
 * node-postgres' pool: no TypeORM query runner is created per call (docs/performance.md). On PGlite
 * (one in-process connection, serialised by the pool in pglite-pool.ts) they go through the data
 * source as any other query. TypeORM keeps the entities, migrations and every other statement.
 *
 * Two kinds, because a cached plan can outlive the data it was made for (docs/performance.md,
 * "Plans that track the table"):
 * - `prepared`: a named prepared statement, parsed and planned once per connection. Only for
 *   statements whose best plan cannot depend on how many rows a table holds: INSERTs of given
 *   values.
 * - `query`: sent unnamed, so PostgreSQL plans it at each execution with the actual parameters and
 *   the tables' current size. Every statement that finds rows (a lookup, an UPDATE ... FROM) goes
 *   this way. A named one would keep, after its fifth execution, the generic plan made then; made
 *   while a table held a few dozen rows, that plan is a sequential scan, and it stays cached while
 *   the table grows to millions of rows, until an ANALYZE happens to invalidate it.
 */
@Injectable()
export class HotSql {
  constructor(private readonly dataSource: DataSource) {}

  /** node-postgres' pool, or null on PGlite (our pool class is passed to TypeORM as `driver`). */
  private get pool(): Pool | null {
    const driver = this.dataSource.driver as { master?: unknown; options?: { driver?: unknown } };
    return driver.options?.driver ? null : ((driver.master as Pool | undefined) ?? null);
  }

  /** Rows of `text` with `values`, planned at this execution. */
  async query<T extends QueryResultRow = Record<string, unknown>>(text: string, values: unknown[]): Promise<T[]> {
    const pool = this.pool;
    if (pool) return (await pool.query<T>({ text, values })).rows;
    return (await this.dataSource.query(text, values)) as T[];
  }

  /** Rows of `text` with `values`, prepared once per connection as `name` (one name, one text). */
  async prepared<T extends QueryResultRow = Record<string, unknown>>(
    name: string,
    text: string,
    values: unknown[],
  ): Promise<T[]> {
    const pool = this.pool;
    if (pool) return (await pool.query<T>({ name, text, values })).rows;
    return (await this.dataSource.query(text, values)) as T[];
  }
}
