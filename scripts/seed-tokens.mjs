#!/usr/bin/env node
/**
 * Seeds access_tokens and refresh_tokens with ROWS rows each (default 1,000,000), for measuring
 * that cost stays flat as the tables grow (docs/performance.md). One grant per 100 tokens, all for
 * the demo client (SEED_DEMO must have run: start the server once first). `--expired` dates every
 * seeded row (and its grant) in the past, for measuring the purge.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench node scripts/seed-tokens.mjs [ROWS] [--expired]
 *   DATA_DIR=./data node scripts/seed-tokens.mjs ...   (PGlite; the server must be stopped)
 *
 * Runs in batches of 100,000 rows (one statement each); rows already there (same ids) are skipped.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(join(import.meta.dirname, '..', 'package.json'));
const args = process.argv.slice(2);
const rows = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const expired = args.includes('--expired');
const BATCH = 100_000;
const PER_GRANT = 100;
const prefix = expired ? 'seedx' : 'seed';
const expiry = expired ? "now() - interval '1 day'" : "now() + interval '30 days'";

async function open() {
  const url = process.env.DATABASE_URL;
  if (url && url.startsWith('postgres')) {
    const { Client } = require('pg');
    const client = new Client({ connectionString: url });
    await client.connect();
    return { query: (sql, params) => client.query(sql, params), close: () => client.end() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(join(process.env.DATA_DIR ?? './data', 'pglite'));
  return { query: (sql, params) => db.query(sql, params), close: () => db.close() };
}

const db = await open();
const started = Date.now();
const resource = (await db.query(`SELECT resource FROM grants LIMIT 1`)).rows[0]?.resource ?? 'http://localhost:8000/mcp';
for (let from = 1; from <= rows; from += BATCH) {
  const to = Math.min(rows, from + BATCH - 1);
  const params = [from, to, PER_GRANT, prefix, resource];
  // Grants first (tokens reference them), then both token tables, one statement each.
  await db.query(
    `INSERT INTO grants (id, user_id, client_id, scope, resource, expires_at)
     SELECT md5($4 || '-grant-' || g)::uuid, NULL, 'demo_client', '{read}', $5, ${expiry}
       FROM generate_series(($1::int - 1) / $3::int, ($2::int - 1) / $3::int) g
     ON CONFLICT DO NOTHING`,
    params,
  );
  await db.query(
    `INSERT INTO access_tokens (jti, client_id, user_id, scope, resource, grant_id, expires_at)
     SELECT $4 || '-at-' || i, 'demo_client', NULL, '{read}', $5, md5($4 || '-grant-' || ((i - 1) / $3::int))::uuid, ${expiry}
       FROM generate_series($1::int, $2::int) i
     ON CONFLICT DO NOTHING`,
    params,
  );
  await db.query(
    `INSERT INTO refresh_tokens (token_hash, client_id, user_id, scope, resource, grant_id, expires_at)
     SELECT md5($4 || '-rt-' || i) || md5($4 || '-rt2-' || i), 'demo_client', NULL, '{read}', $5,
            md5($4 || '-grant-' || ((i - 1) / $3::int))::uuid, ${expiry}
       FROM generate_series($1::int, $2::int) i
     ON CONFLICT DO NOTHING`,
    params,
  );
  process.stderr.write(`  ${to.toLocaleString('en-US')} / ${rows.toLocaleString('en-US')}\r`);
}
await db.query('ANALYZE grants, access_tokens, refresh_tokens');
const counts = (await db.query(`SELECT (SELECT count(*) FROM access_tokens) AS access, (SELECT count(*) FROM refresh_tokens) AS refresh`)).rows[0];
process.stderr.write(`\nseeded ${rows.toLocaleString('en-US')} ${expired ? 'expired ' : ''}rows per table in ${((Date.now() - started) / 1000).toFixed(1)} s; access_tokens ${counts.access}, refresh_tokens ${counts.refresh}\n`);
await db.close();
