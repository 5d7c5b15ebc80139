#!/usr/bin/env node
/**
 * Flat cost growth (issue 15, item 4), PostgreSQL: `node bench/flat-cost.mjs` after `npm run build`
 * (run the load on another core than the server: `taskset -c 0 node bench/flat-cost.mjs`).
 *
 * 1. access_tokens and refresh_tokens at 10,000 rows each: client_credentials, the bearer-checked
 *    REST tool call and GET /health/live under load;
 * 2. the same at 1,000,000 rows each (scripts/seed-tokens.mjs): each figure as a ratio to the
 *    10,000-row one (throughput, and normalised by /health/live of the same phase);
 * 3. 1,000,000 more rows, expired: the REST call's p99 without, then during the purge job (run by a
 *    second instance pinned to the server's core, as a scheduled purge on any instance would).
 *
 * env: DB (postgres://user@host:port), SECS (5), CONNS (16), SERVER_CPU (1), ROWS (1000000).
 */
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const DB = process.env.DB ?? 'postgres://postgres@127.0.0.1:5432';
const SECS = Number(process.env.SECS ?? 5);
const CONNS = Number(process.env.CONNS ?? 16);
const SERVER_CPU = process.env.SERVER_CPU ?? '1';
const ROWS = Number(process.env.ROWS ?? 1_000_000);
const H = '127.0.0.1';
const PORT = 3120;
const base = `http://${H}:${PORT}`;
const name = `bench_flat_${Date.now()}`;
execFileSync('psql', [`${DB}/postgres`, '-qc', `CREATE DATABASE ${name}`]);
const url = `${DB}/${name}`;
const env = {
  ...process.env, PORT: String(PORT), HOST: H, ISSUER: base, SEED_DEMO: 'true', RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'warn',
  APP_SECRET: 'bench-secret-0123456789-0123456789-abcdef', MAINTENANCE_ENABLED: 'false', NODE_ENV: 'production', DATABASE_URL: url,
};
const pin = (args) => (SERVER_CPU ? ['taskset', ['-c', SERVER_CPU, process.execPath, ...args]] : [process.execPath, args]);
const [cmd, args] = pin(['dist/main.js']);
const server = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
process.on('exit', () => {
  server.kill('SIGKILL');
  try {
    execFileSync('psql', [`${DB}/postgres`, '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
  } catch {}
});
for (let i = 0; i < 240; i++) {
  try {
    if ((await fetch(`${base}/health/ready`)).ok) break;
  } catch {}
  await new Promise((r) => setTimeout(r, 250));
}
const seed = (rows, expired) => execFileSync(process.execPath, [join(root, 'scripts/seed-tokens.mjs'), String(rows), ...(expired ? ['--expired'] : [])], { env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'inherit', 'inherit'] });
const cpu = () => {
  const f = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};

const DEMO = `Basic ${Buffer.from('demo_client:demo_secret').toString('base64')}`;
let cc = {};
for (let attempt = 0; attempt < 10 && !cc.access_token; attempt++) {
  const res = await fetch(`${base}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: DEMO }, body: 'grant_type=client_credentials&scope=read' });
  cc = await res.json();
  if (!cc.access_token) await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)));
}
if (!cc.access_token) throw new Error(`no token: ${JSON.stringify(cc)}`);
const targets = {
  cc: { url: `${base}/oauth/token`, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: DEMO }, body: 'grant_type=client_credentials&scope=read' },
  rest: { url: `${base}/tools/greet`, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${cc.access_token}` }, body: '{"name":"World"}' },
  live: { url: `${base}/health/live` },
};
async function load(key) {
  const c0 = cpu();
  const r = await autocannon({ ...targets[key], headers: { ...targets[key].headers }, connections: CONNS, duration: SECS });
  return { rps: (r.requests.total - r.non2xx) / r.duration, p50: r.latency.p50, p99: r.latency.p99, cpuMs: (1000 * (cpu() - c0)) / (r.requests.total || 1), failures: r.non2xx + r.errors };
}
async function phase(label) {
  const out = {};
  for (const key of ['live', 'cc', 'rest']) out[key] = await load(key);
  process.stdout.write(`${label}: ${Object.entries(out).map(([k, v]) => `${k} ${Math.round(v.rps)} req/s p99 ${v.p99} ms${v.failures ? ` failures ${v.failures}` : ''}`).join(', ')}\n`);
  return out;
}

seed(10_000, false);
for (const key of Object.keys(targets)) await load(key); // warm-up
const small = await phase('10,000 rows per table');
seed(ROWS, false);
await load('cc');
const large = await phase(`${ROWS.toLocaleString('en-US')} rows per table`);
const ratio = (k) => large[k].rps / small[k].rps;
const normalised = (k) => (large[k].rps / large.live.rps) / (small[k].rps / small.live.rps);
process.stdout.write(`\nthroughput at ${ROWS.toLocaleString('en-US')} rows / at 10,000 (goal ≥ 0.9):\n`);
for (const k of ['cc', 'rest']) process.stdout.write(`  ${k.padEnd(5)} ${ratio(k).toFixed(3)}×  (normalised by /health/live of the same phase: ${normalised(k).toFixed(3)}×)\n`);

seed(ROWS, true);
const quiet = { rest: await load('rest'), cc: await load('cc') };
const purger = spawn(...pin(['-e', `
  process.env.NODE_ENV = 'test';
  const { NestFactory } = require('@nestjs/core');
  const { AppModule } = require('./dist/app.module');
  const { PurgeExpiredJob } = require('./dist/maintenance/purge-expired.job');
  (async () => {
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    const t0 = Date.now();
    const report = await app.get(PurgeExpiredJob).run();
    console.log(JSON.stringify({ ms: Date.now() - t0, report }));
    await app.close();
    process.exit(0);
  })();
`]), { cwd: root, env: { ...env, PORT: String(PORT + 1) }, stdio: ['ignore', 'pipe', 'inherit'] });
let purgeOut = '';
purger.stdout.on('data', (d) => (purgeOut += d));
const purgeDone = new Promise((r) => purger.on('exit', r));
await new Promise((r) => setTimeout(r, 3000)); // the second instance boots, then purges
const during = { rest: await load('rest'), cc: await load('cc') };
const finished = await Promise.race([purgeDone.then(() => true), new Promise((r) => setTimeout(() => r(false), 240_000))]);
if (!finished) purger.kill('SIGKILL');
process.stdout.write(`\npurge of ${ROWS.toLocaleString('en-US')} expired rows per table (second instance on the server's core): ${finished ? purgeOut.trim() : 'still running after 4 min, stopped'}\n`);
for (const k of ['rest', 'cc']) {
  process.stdout.write(`  ${k.padEnd(5)} p99 without purge ${quiet[k].p99} ms, during purge ${during[k].p99} ms (${(during[k].p99 / quiet[k].p99).toFixed(2)}×; goal < 2×), throughput ${Math.round(quiet[k].rps)} → ${Math.round(during[k].rps)} req/s\n`);
}
process.exit(0);
