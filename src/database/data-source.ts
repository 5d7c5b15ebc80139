import type { PGlite } from '@electric-sql/pglite';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig, DatabaseTimeouts } from 'src/config/app-config';
import { DataDirLock } from './data-dir-lock';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { createPglitePoolClass } from './pglite-pool';

/**
 * TypeORM options for either database. Both run the same migrations; `synchronize` is off
 * everywhere (STYLE.md §6).
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
    return {
      ...common,
      url: db.url,
      poolSize: 20,
      ...boundedWaits(db.timeouts ?? DEFAULT_TIMEOUTS),
    };
  }
  return {
    ...common,
    driver: { Pool: createPglitePoolClass(pgliteOpener(db.dataDir, db.template)) },
  };
}

export const DEFAULT_TIMEOUTS: DatabaseTimeouts = {
  connectMs: 3000,
  statementMs: 5000,
  queryMs: 6000,
  keepAliveDelayMs: 10_000,
};

/**
 * No request waits for PostgreSQL longer than a bound (README "Operations"): the pool's acquire
 * timeout (`connectionTimeoutMillis` covers both a new connection and a wait for a free one),
 * the server-side `statement_timeout`, a client-side query timeout for a server or network that
 * stopped answering, and TCP keepalive so dead idle connections are noticed.
 */
function boundedWaits(t: DatabaseTimeouts) {
  return {
    connectTimeoutMS: t.connectMs,
    extra: {
      Client: BoundedClient,
      statement_timeout: t.statementMs,
      query_timeout: t.queryMs,
      // A transaction left open by a stuck client must not hold row locks for long.
      idle_in_transaction_session_timeout: Math.max(t.statementMs, t.queryMs) * 2,
      keepAlive: true,
      keepAliveInitialDelayMillis: t.keepAliveDelayMs,
    },
    // Idle connections break during an outage; pg removes them, nothing to log per connection.
    poolErrorHandler: () => undefined,
  };
}

/**
 * A pg client that closes its connection when a query times out on the client side. node-postgres
 * leaves the timed-out query running on the connection, so the next query on it would wait behind
 * a server that may never answer; a closed connection is dropped by the pool instead.
 */
class BoundedClient extends Client {
  override query(...args: unknown[]): never {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (err: Error | null, ...rest: unknown[]) => {
        if (err) this.dropIfTimedOut(err);
        (last as (...a: unknown[]) => void)(err, ...rest);
      };
      return (super.query as (...a: unknown[]) => never)(...args);
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(undefined, (err: Error) => this.dropIfTimedOut(err));
    }
    return result as never;
  }

  private dropIfTimedOut(err: Error): void {
    if (err?.message !== 'Query read timeout') return;
    const stream = (this as unknown as { connection?: { stream?: { destroy(): void } } }).connection
      ?.stream;
    stream?.destroy();
  }
}

/** Opens the PGlite instance on first use and closes it when TypeORM ends the pool. */
function pgliteOpener(dataDir: string | null, template?: string) {
  let instance: Promise<PGlite> | undefined;
  const lock = dataDir ? new DataDirLock(dataDir) : null;
  return {
    open: () => {
      instance ??= (async () => {
        // Before anything reads the directory: one process at a time (README "Operations").
        lock?.acquire();
        const { PGlite } = await import('@electric-sql/pglite');
        if (!dataDir) {
          return template
            ? PGlite.create({ loadDataDir: new Blob([readFileSync(template)]) })
            : PGlite.create();
        }
        const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
        mkdirSync(dataDir, { recursive: true });
        const bare = fresh ? bareTemplate() : undefined;
        try {
          return await (bare
            ? PGlite.create(dataDir, { loadDataDir: new Blob([readFileSync(bare)]) })
            : PGlite.create(dataDir));
        } catch (err) {
          lock?.release();
          throw err;
        }
      })();
      // A refused lock must not stick: the next open tries again.
      instance.catch(() => {
        instance = undefined;
      });
      return instance;
    },
    close: async () => {
      if (!instance) return;
      const pending = instance;
      instance = undefined;
      try {
        const db = await pending.catch(() => null);
        if (db && !db.closed) await db.close();
      } finally {
        lock?.release();
      }
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
