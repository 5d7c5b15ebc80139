import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AppConfig } from 'src/config/app-config';
import { dataSourceOptions } from './data-source';
import { DatabaseAvailability } from './database-availability';
import { DataDirectoryLockedError } from './database-errors';
import { DatabaseHealth } from './database.health';
import { runMigrations } from './run-migrations';

/** The one data source (PGlite or PostgreSQL), migrated before any other module touches it. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.db),
        retryAttempts: 2,
        retryDelay: 1000,
        // A data directory held by another process does not free itself in a second: say so at once.
        toRetry: (err: unknown) => !(err instanceof DataDirectoryLockedError),
      }),
      dataSourceFactory: async (options) => {
        const kind = (options as { driver?: unknown }).driver ? 'pglite' : 'postgres';
        if (kind === 'pglite') {
          const dataSource = await new DataSource(options!).initialize();
          await runMigrations(dataSource, false);
          return dataSource;
        }
        // Migrations (and the wait for another instance's migration lock) may take longer than
        // the request timeouts: they run on their own short-lived connection without them.
        const migrator = await new DataSource(withoutRequestTimeouts(options!)).initialize();
        try {
          await runMigrations(migrator, true);
        } finally {
          await migrator.destroy();
        }
        return new DataSource(options!).initialize();
      },
    }),
  ],
  providers: [DatabaseHealth, DatabaseAvailability],
  exports: [DatabaseHealth, DatabaseAvailability],
})
export class DatabaseModule {}

function withoutRequestTimeouts(options: DataSourceOptions): DataSourceOptions {
  const extra = (options as { extra?: Record<string, unknown> }).extra ?? {};
  return {
    ...options,
    // One connection holds the advisory lock, one runs the migrations.
    poolSize: 2,
    extra: {
      ...extra,
      statement_timeout: 0,
      query_timeout: 0,
      idle_in_transaction_session_timeout: 0,
    },
  } as DataSourceOptions;
}
