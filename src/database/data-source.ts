import type { PGlite } from '@electric-sql/pglite';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from 'src/config/app-config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { createPglitePoolClass } from './pglite-pool';

/**
 * TypeORM options for either database. Both run the same migrations; `synchronize` is off
 * everywhere (docs/style.md §6).
 */
export function dataSourceOptions(db: DatabaseConfig): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    installExtensions: false,
    // gen_random_uuid() is built into PostgreSQL ≥ 13 and PGlite; no extension needed.
    uuidExtension: 'pgcrypto' as const,
    logging: false,
  };
  if (db.kind === 'postgres') {
    return { ...common, url: db.url, poolSize: 20, connectTimeoutMS: 5000 };
  }
  return {
    ...common,
    driver: { Pool: createPglitePoolClass(pgliteOpener(db.dataDir, db.template)) },
  };
}

/** Opens the PGlite instance on first use and closes it when TypeORM ends the pool. */
function pgliteOpener(dataDir: string | null, template?: string) {
  let instance: Promise<PGlite> | undefined;
  return {
    open: () => {
      instance ??= (async () => {
        const { PGlite } = await import('@electric-sql/pglite');
        if (!dataDir) {
          return template
            ? PGlite.create({ loadDataDir: new Blob([readFileSync(template)]) })
            : PGlite.create();
        }
        const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
        mkdirSync(dataDir, { recursive: true });
        const bare = fresh ? bareTemplate() : undefined;
        return bare
          ? PGlite.create(dataDir, { loadDataDir: new Blob([readFileSync(bare)]) })
          : PGlite.create(dataDir);
      })();
      return instance;
    },
    close: async () => {
      if (!instance) return;
      const db = await instance;
      instance = undefined;
      if (!db.closed) await db.close();
    },
  };
}

/**
 * The bare database `npm install` made (scripts/pglite-template.mjs) for this PGlite version, if any:
 * a new embedded database starts from it instead of running initdb (seconds off the first start).
 */
function bareTemplate(): string | undefined {
  const modules = join(__dirname, '..', '..', 'node_modules');
  try {
    const { version } = JSON.parse(
      readFileSync(join(modules, '@electric-sql', 'pglite', 'package.json'), 'utf8'),
    );
    const file = join(modules, '.cache', 'mcp-oauth-server', `pglite-${version}.tar.gz`);
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}
