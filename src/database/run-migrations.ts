import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

// Any constant shared by every instance: pg_advisory_lock key for "schema migrations".
const MIGRATION_LOCK_KEY = 727_001;

/**
 * Runs pending migrations. On a PostgreSQL server several instances may start at once, so the run
 * is serialised with a session-level advisory lock; PGlite lives in this one process.
 */
export async function runMigrations(dataSource: DataSource, serialise: boolean): Promise<void> {
  const logger = new Logger('Database');
  if (!serialise) {
    await logMigrations(logger, await dataSource.runMigrations({ transaction: 'each' }));
    return;
  }
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await logMigrations(logger, await dataSource.runMigrations({ transaction: 'each' }));
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
  }
}

async function logMigrations(logger: Logger, ran: { name: string }[]): Promise<void> {
  for (const m of ran) logger.log(`migration applied: ${m.name}`);
}
