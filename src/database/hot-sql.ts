import { Injectable } from '@nestjs/common';
import type { Pool, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';

/**
 * The hot path's statements (token issuing, refresh rotation), as named prepared statements on
 * PostgreSQL: the pool's connections parse and plan each once, and no TypeORM query runner is
 * created per call (docs/performance.md). On PGlite (one in-process connection, serialised by the
 * pool in pglite-pool.ts) they go through the data source as any other query. TypeORM keeps the
 * entities, migrations and every other statement.
 */
@Injectable()
export class HotSql {
  constructor(private readonly dataSource: DataSource) {}

  /** node-postgres' pool, or null on PGlite (our pool class is passed to TypeORM as `driver`). */
  private get pool(): Pool | null {
    const driver = this.dataSource.driver as { master?: unknown; options?: { driver?: unknown } };
    return driver.options?.driver ? null : ((driver.master as Pool | undefined) ?? null);
  }

  /** Rows of `text` with `values`; `name` identifies the statement (one name, one text). */
  async query<T extends QueryResultRow = Record<string, unknown>>(
    name: string,
    text: string,
    values: unknown[],
  ): Promise<T[]> {
    const pool = this.pool;
    if (pool) return (await pool.query<T>({ name, text, values })).rows;
    return (await this.dataSource.query(text, values)) as T[];
  }
}
