#!/usr/bin/env node
/**
 * Benchmark, run by hand (never in CI): `npm run bench` (PGlite in memory) or
 * `DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench npm run bench` (the database must exist).
 *
 * Phase 1 counts database round trips per operation (in process, one request at a time).
 * Phase 2 starts the built server as a child process and loads it from this process; every figure
 * is reported as a ratio to a baseline measured in the same run (GET /health/live), because this
 * machine is shared and absolute numbers are noise.
 *
 * Options (env): BENCH_SECONDS (default 5 per scenario), BENCH_CONCURRENCY (default 16).
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const DATABASE_URL = process.env.DATABASE_URL ?? 'memory://';
const APP_SECRET = 'bench-secret-0123456789-0123456789-abcdef';

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

/** The browser half of the code flow with fetch and a cookie jar (as scripts/demo.mjs does). */
async function authorize(base, clientId, redirectUri) {
  const jar = new Map();
  const browse = async (url, init = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set('Cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(new URL(url, base), { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  };
  const fields = (html) =>
    Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2].replace(/&amp;/g, '&').replace(/&#61;/g, '=').replace(/&quot;/g, '"')]));
  const form = (f) => ({ method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(f).toString() });
  const { verifier, challenge } = pkce();
  const url = `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: 'read write', state: 's', code_challenge: challenge, code_challenge_method: 'S256' })}`;
  let res = await browse(url);
  if (res.status === 302) {
    const login = await browse(res.headers.get('location'));
    res = await browse('/login', form({ ...fields(await login.text()), username: 'demo_user', password: 'demo_password' }));
    res = await browse(res.headers.get('location'));
  }
  if (res.status === 200) res = await browse('/consent', form({ ...fields(await res.text()), decision: 'approve' }));
  return { code: new URL(res.headers.get('location')).searchParams.get('code'), verifier };
}

const basic = (id, secret) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const tokenRequest = (base, auth, body) =>
  fetch(`${base}/oauth/token`, { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });

// ---------------------------------------------------------------------------------------------
// Phase 1: database round trips per operation
// ---------------------------------------------------------------------------------------------
async function countQueries() {
  Object.assign(process.env, { NODE_ENV: 'test', DATABASE_URL, APP_SECRET, BCRYPT_COST: '4', LOG_LEVEL: 'error', SEED_DEMO: 'true', RATE_LIMIT_ENABLED: 'false' });
  const port = await freePort();
  process.env.ISSUER = `http://127.0.0.1:${port}`;
  process.env.PORT = String(port);
  const { PostgresQueryRunner } = require('typeorm/driver/postgres/PostgresQueryRunner.js');
  let count = 0;
  const original = PostgresQueryRunner.prototype.query;
  PostgresQueryRunner.prototype.query = function (...args) {
    count++;
    return original.apply(this, args);
  };
  const { NestFactory } = require('@nestjs/core');
  const { AppModule } = require(join(root, 'dist', 'app.module.js'));
  const { setupApp } = require(join(root, 'dist', 'setup-app.js'));
  const app = await NestFactory.create(AppModule, { logger: false, bodyParser: false });
  setupApp(app);
  await app.listen(port, '127.0.0.1');
  const base = process.env.ISSUER;
  const measure = async (label, fn) => {
    await fn(); // warm caches (signing key, client lookups)
    const before = count;
    await fn();
    return [label, count - before];
  };
  const ds = app.get(require('typeorm').DataSource);
  const secret = `mcpcs_${randomBytes(32).toString('base64url')}`;
  await ds.query(`INSERT INTO oauth_clients (client_id, client_secret_hash, client_name, redirect_uris, grant_types, scope, source)
                  VALUES ('bench_cc', $1, 'bench', '{}', '{client_credentials}', '{read,write}', 'admin')`, [`sha256:${createHash('sha256').update(secret).digest('hex')}`]);
  const demo = basic('demo_client', 'demo_secret');
  const rows = [];
  rows.push(await measure('POST /oauth/token client_credentials (generated secret)', () => tokenRequest(base, basic('bench_cc', secret), { grant_type: 'client_credentials' })));
  let pair;
  // Only the token request is counted: the browser half (login, consent) is not the hot path.
  const exchange = async () => {
    const { code, verifier } = await authorize(base, 'demo_client', 'http://localhost:3000/callback');
    const before = count;
    pair = await (await tokenRequest(base, demo, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: 'http://localhost:3000/callback' })).json();
    return count - before;
  };
  await exchange();
  rows.push(['POST /oauth/token authorization_code', await exchange()]);
  rows.push(await measure('POST /oauth/token refresh_token (rotation)', async () => {
    pair = await (await tokenRequest(base, demo, { grant_type: 'refresh_token', refresh_token: pair.refresh_token })).json();
  }));
  rows.push(await measure('POST /tools/greet (bearer check, cached revocation state)', () =>
    fetch(`${base}/tools/greet`, { method: 'POST', headers: { Authorization: `Bearer ${pair.access_token}`, 'Content-Type': 'application/json' }, body: '{"name":"x"}' })));
  await app.close();
  PostgresQueryRunner.prototype.query = original;
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Phase 2: throughput under load, as ratios to the same run's baseline
// ---------------------------------------------------------------------------------------------
async function load(label, makeRequest) {
  const latencies = [];
  let errors = 0;
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        const start = process.hrtime.bigint();
        try {
          const res = await makeRequest();
          await res.arrayBuffer();
          if (res.status >= 400) errors++;
        } catch {
          errors++;
        }
        latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { label, rps: latencies.length / SECONDS, p50: latencies[Math.floor(latencies.length * 0.5)], p99: latencies[Math.floor(latencies.length * 0.99)], errors };
}

async function throughput() {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [join(root, 'dist', 'main.js')], {
    env: { ...process.env, NODE_ENV: 'test', PORT: String(port), HOST: '127.0.0.1', ISSUER: base, DATABASE_URL, APP_SECRET, LOG_LEVEL: 'error', SEED_DEMO: 'true', BCRYPT_COST: '10', RATE_LIMIT_ENABLED: 'false' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; i < 120; i++) {
      try {
        if ((await fetch(`${base}/health/ready`)).ok) break;
      } catch {}
      await new Promise((r) => setTimeout(r, 250));
    }
    const demo = basic('demo_client', 'demo_secret');
    const { code, verifier } = await authorize(base, 'demo_client', 'http://localhost:3000/callback');
    const tokens = await (await tokenRequest(base, demo, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: 'http://localhost:3000/callback' })).json();
    const bearer = { Authorization: `Bearer ${tokens.access_token}`, 'Content-Type': 'application/json' };
    const results = [];
    // Warm up (JIT, connection pool, key and client caches) before anything is measured.
    const warmEnd = Date.now() + 1500;
    while (Date.now() < warmEnd) {
      await Promise.all([fetch(`${base}/health/live`), fetch(`${base}/tools/greet`, { method: 'POST', headers: bearer, body: '{"name":"x"}' })].map((p) => p.then((r) => r.arrayBuffer())));
    }
    results.push(await load('GET /health/live (baseline)', () => fetch(`${base}/health/live`)));
    results.push(await load('POST /tools/greet (JWT verify + revocation cache)', () => fetch(`${base}/tools/greet`, { method: 'POST', headers: bearer, body: '{"name":"x"}' })));
    results.push(await load('POST /mcp tools/call greet (stateless MCP SDK)', () =>
      fetch(`${base}/mcp`, { method: 'POST', headers: { ...bearer, Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-11-25' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'greet', arguments: { name: 'x' } } }) })));
    results.push(await load('POST /oauth/token client_credentials (bcrypt secret, verified-cache)', () => tokenRequest(base, demo, { grant_type: 'client_credentials', scope: 'read' })));
    results.push(await load('GET /.well-known/oauth-authorization-server', () => fetch(`${base}/.well-known/oauth-authorization-server`)));
    return results;
  } finally {
    child.kill('SIGTERM');
  }
}

const queries = await countQueries();
process.stdout.write(`\nDatabase round trips per operation (${DATABASE_URL.startsWith('postgres') ? 'PostgreSQL' : 'PGlite'}):\n`);
for (const [label, n] of queries) process.stdout.write(`  ${String(n).padStart(3)}  ${label}\n`);
const results = await throughput();
const baseline = results[0].rps;
process.stdout.write(`\nThroughput, ${CONCURRENCY} concurrent for ${SECONDS} s each, as a ratio to the baseline:\n`);
for (const r of results) {
  process.stdout.write(`  ${(r.rps / baseline).toFixed(2).padStart(5)}×  ${r.label}   (${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, errors ${r.errors})\n`);
}
process.exit(0);
