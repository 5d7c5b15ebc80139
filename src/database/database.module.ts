import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from 'src/config/app-config';
import { dataSourceOptions } from './data-source';
import { DatabaseHealth } from './database.health';
import { HotSql } from './hot-sql';
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
      }),
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options!).initialize();
        const kind = (options as { driver?: unknown }).driver ? 'pglite' : 'postgres';
        await runMigrations(dataSource, kind === 'postgres');
        return dataSource;
      },
    }),
  ],
  providers: [DatabaseHealth, HotSql],
  exports: [DatabaseHealth, HotSql],
})
export class DatabaseModule {}
