import { EventEmitter } from 'node:events';
import type { PGlite, Results } from '@electric-sql/pglite';

interface PgLikeResult {
  rows: unknown[];
  rowCount: number;
  command?: string;
  fields: unknown[];
}

const COMMAND = /^\s*(?:WITH\b[\s\S]*?\)\s*)?(INSERT|UPDATE|DELETE|SELECT|MERGE)\b/i;

function toPgResult(sql: string, result: Results | undefined): PgLikeResult {
  const rows = (result?.rows ?? []) as unknown[];
  const command = COMMAND.exec(sql)?.[1]?.toUpperCase();
  const rowCount = command === 'SELECT' ? rows.length : (result?.affectedRows ?? rows.length);
  return { rows, rowCount, command, fields: result?.fields ?? [] };
}

/**
 * A node-postgres-shaped pool over one PGlite instance, for TypeORM's postgres driver.
 *
 * PGlite is a single connection. A pool that handed that one connection to several query runners
 * at once would interleave their transactions (a BEGIN from one request, a COMMIT from another),
 * so this pool is a mutex: one checked-out client at a time, the rest queue in order.
 */
export function createPglitePoolClass(handle: {
  open: () => Promise<PGlite>;
  close: () => Promise<void>;
}) {
  const db = handle.open;
  class PglitePool extends EventEmitter {
    private busy = false;
    private readonly waiters: Array<() => void> = [];
    private ended = false;

    constructor(_options?: unknown) {
      super();
    }

    /** node-postgres Pool's counters, for metrics: one connection, busy or idle, and the queue. */
    get totalCount(): number {
      return this.ended ? 0 : 1;
    }
    get idleCount(): number {
      return this.ended || this.busy ? 0 : 1;
    }
    get waitingCount(): number {
      return this.waiters.length;
    }

    connect(callback: (err: Error | null, client: unknown, release: () => void) => void): void {
      const grant = () => {
        db().then(
          (instance) => {
            let released = false;
            const client = new PgliteClient(instance);
            callback(null, client, () => {
              if (released) return;
              released = true;
              this.releaseSlot();
            });
          },
          (err: Error) => {
            this.releaseSlot();
            callback(err, null, () => undefined);
          },
        );
      };
      if (this.ended) {
        callback(new Error('pool has ended'), null, () => undefined);
        return;
      }
      if (!this.busy) {
        this.busy = true;
        grant();
      } else {
        this.waiters.push(grant);
      }
    }

    private releaseSlot(): void {
      const next = this.waiters.shift();
      if (next) next();
      else this.busy = false;
    }

    end(callback?: (err: Error | null) => void): void {
      this.ended = true;
      handle.close().then(
        () => callback?.(null),
        (err: Error) => callback?.(err),
      );
    }
  }

  class PgliteClient extends EventEmitter {
    constructor(private readonly instance: PGlite) {
      super();
    }

    async query(sql: string, params?: unknown[]): Promise<PgLikeResult> {
      if (params && params.length > 0)
        return toPgResult(sql, await this.instance.query(sql, params));
      // Without parameters the text may hold several statements (migrations): run them all.
      const results = await this.instance.exec(sql);
      return toPgResult(sql, results[results.length - 1]);
    }
  }

  return PglitePool;
}
