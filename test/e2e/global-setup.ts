import { PGlite } from '@electric-sql/pglite';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { createPglitePoolClass } from '../../src/database/pglite-pool';
import { CHROMIUM_HELP, findChromium } from '../support/chromium';

/**
 * PGlite's initdb costs seconds per database. The e2e run makes one migrated database, dumps it,
 * and every in-memory test app starts from that dump (PGLITE_TEMPLATE). The dump is cached in the
 * temp directory under a key of the PGlite version and the migrations' source, so a changed
 * migration makes a new one.
 */
export default async function globalSetup(): Promise<void> {
  if (findChromium() === null && process.env.REQUIRE_CHROMIUM !== '1') process.stderr.write(`\nNOTE: ${CHROMIUM_HELP}\n\n`);
  if (/^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '')) return;
  const migrationsDir = join(__dirname, '..', '..', 'src', 'database', 'migrations');
  const hash = createHash('sha256');
  hash.update(readFileSync(join(__dirname, '..', '..', 'node_modules', '@electric-sql', 'pglite', 'package.json')));
  for (const file of readdirSync(migrationsDir).sort()) hash.update(file).update(readFileSync(join(migrationsDir, file)));
  const file = join(tmpdir(), `mcp-oauth-pglite-${hash.digest('hex').slice(0, 16)}.tar`);
  if (!existsSync(file)) {
    const db = await PGlite.create();
    const options = dataSourceOptions({ kind: 'pglite', dataDir: null });
    const ds = new DataSource({
      ...options,
      driver: { Pool: createPglitePoolClass({ open: async () => db, close: async () => undefined }) },
    } as typeof options);
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    await ds.destroy();
    const dump = await db.dumpDataDir('none');
    await db.close();
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
  }
  process.env.PGLITE_TEMPLATE = file;
}
