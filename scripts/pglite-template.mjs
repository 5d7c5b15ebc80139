#!/usr/bin/env node
/**
 * postinstall: PGlite's initdb takes seconds (most of a first `npm start`). Make one bare database
 * now, at install time, and keep its dump in node_modules/.cache; the server starts a new embedded
 * database from it (then runs the migrations as usual). Best effort: any failure leaves the
 * server to run initdb itself.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
try {
  const version = JSON.parse(readFileSync(join(root, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')).version;
  const file = join(root, 'node_modules/.cache/mcp-oauth-server', `pglite-${version}.tar.gz`);
  if (!existsSync(file)) {
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create();
    const dump = await db.dumpDataDir('gzip');
    await db.close();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.${process.pid}`, Buffer.from(await dump.arrayBuffer()));
    renameSync(`${file}.${process.pid}`, file);
  }
} catch (err) {
  process.stderr.write(`note: no PGlite template (${err instanceof Error ? err.message : err}); the first start will run initdb\n`);
}
