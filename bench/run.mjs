#!/usr/bin/env node
/**
 * `npm run bench` (from the project root; builds first): this server side by side with the peers a
 * user would pick instead, in ONE run, so every figure that matters is a ratio within the run
 * (absolute numbers on a shared machine are noise). Never part of CI. docs/performance.md.
 *
 * Phase 1 counts database round trips per operation (the built app in this process, the
 * PostgreSQL or PGlite driver's query calls counted). Phase 2 starts the built server and the
 * peers as child processes pinned to SERVER_CPU and loads them from this process (run it on
 * another core: `taskset -c 0 npm run bench`). For each target it reports throughput and the
 * server's CPU time per request; the goals of issue 15 are throughput ratios.
 *
 * Peers (bench/servers, dependencies in bench/package.json only): panva/oidc-provider with its
 * in-memory store and ES256 JWT access tokens, and the MCP SDK's stateless Streamable HTTP server
 * with no authorization.
 *
 * env: DB (postgres://user@host:port, default postgres://postgres@127.0.0.1:5432: a fresh database
 *      is created and dropped; or `pglite`), ROUNDS (1), SECS (5), CONNS (16), TARGETS (regex over
 *      target keys), SERVER_CPU (default 1; '' = no pinning), OUT (result JSON path),
 *      PROFILE (a directory: a CPU profile of our server per target, and its top entries printed),
 *      ROUND_TRIPS=0 (skip phase 1), REDIS_URL (passed to the server).
 */
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarizeProfile } from './profile-summary.mjs';

const here = import.meta.dirname;
const root = join(here, '..');
const requireApp = createRequire(join(root, 'package.json'));
const DB = process.env.DB ?? 'postgres://postgres@127.0.0.1:5432';
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const SECS = Number(process.env.SECS ?? 5);
const CONNS = Number(process.env.CONNS ?? 16);
const SERVER_CPU = process.env.SERVER_CPU ?? '1';
const PROFILE = process.env.PROFILE;
const H = '127.0.0.1';
const APP_SECRET = 'bench-secret-0123456789-0123456789-abcdef';
const pglite = !DB.startsWith('postgres');

const databases = [];
function freshDatabase() {
  if (pglite) return null;
  const name = `bench_${Date.now()}_${databases.length}`;
  execFileSync('psql', [`${DB}/postgres`, '-qc', `CREATE DATABASE ${name}`]);
  databases.push(name);
  return `${DB}/${name}`;
}
function dropDatabases() {
  for (const name of databases.splice(0)) {
    try {
      execFileSync('psql', [`${DB}/postgres`, '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
    } catch {}
  }
}

// ---------------------------------------------------------------------------------------------
// The browser half of the code flow (login once, then codes through the same session)
// ---------------------------------------------------------------------------------------------
const basic = (id, secret) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const DEMO = basic('demo_client', 'demo_secret');
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const unescapeHtml = (v) => v.replace(/&amp;/g, '&').replace(/&#61;/g, '=').replace(/&quot;/g, '"').replace(/&#x2F;/g, '/').replace(/&#39;/g, "'");
const hidden = (html) => Object.fromEntries([...html.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1], unescapeHtml(m[2])]));

function browser(base) {
  const jar = new Map();
  const browse = async (url, init = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(new URL(url, base), { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  };
  const post = (fields) => ({ method: 'POST', headers: FORM, body: new URLSearchParams(fields).toString() });
  /** A code and its verifier for demo_client (login and consent the first time only). */
  async function code() {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const q = new URLSearchParams({ response_type: 'code', client_id: 'demo_client', redirect_uri: 'http://localhost:3000/callback', scope: 'read write', state: 's', code_challenge: challenge, code_challenge_method: 'S256' });
    let res = await browse(`/oauth/authorize?${q}`);
    for (let hops = 0; hops < 8; hops++) {
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location?.startsWith('http://localhost:3000/')) break;
      if (res.status >= 300 && res.status < 400) {
        res = await browse(location);
        continue;
      }
      const html = await res.text();
      if (res.status === 503) await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)));
      if (/type="password"/.test(html)) res = await browse('/login', post({ ...hidden(html), username: 'demo_user', password: 'demo_password' }));
      else res = await browse('/consent', post({ ...hidden(html), decision: 'approve' }));
    }
    return { code: new URL(res.headers.get('location')).searchParams.get('code'), verifier };
  }
  async function tokens() {
    const { code: c, verifier } = await code();
    const res = await fetch(`${base}/oauth/token`, { method: 'POST', headers: { ...FORM, authorization: DEMO }, body: new URLSearchParams({ grant_type: 'authorization_code', code: c, code_verifier: verifier, redirect_uri: 'http://localhost:3000/callback' }) });
    const body = await res.json();
    if (!body.refresh_token) throw new Error(`code flow failed: ${res.status} ${JSON.stringify(body)}`);
    return body;
  }
  return { code, tokens, browse };
}

// ---------------------------------------------------------------------------------------------
// Phase 1: database round trips per operation
// ---------------------------------------------------------------------------------------------
function installCounter() {
  let count = 0;
  const wrap = (proto, name) => {
    const original = proto[name];
    proto[name] = function (...args) {
      count++;
      return original.apply(this, args);
    };
  };
  if (pglite) {
    let proto = requireApp('@electric-sql/pglite').PGlite.prototype;
    while (proto && !Object.prototype.hasOwnProperty.call(proto, 'query')) proto = Object.getPrototypeOf(proto);
    wrap(proto, 'query');
    wrap(proto, 'exec');
  } else {
    wrap(requireApp('pg').Client.prototype, 'query');
  }
  return () => count;
}

async function countRoundTrips() {
  const url = freshDatabase();
  const port = 3190;
  Object.assign(process.env, {
    NODE_ENV: 'test', APP_SECRET, BCRYPT_COST: '4', LOG_LEVEL: 'error', SEED_DEMO: 'true', RATE_LIMIT_ENABLED: 'false',
    ISSUER: `http://${H}:${port}`, PORT: String(port), DATABASE_URL: url ?? 'memory://',
  });
  const count = installCounter();
  const { NestFactory } = requireApp('@nestjs/core');
  const { AppModule } = requireApp(join(root, 'dist', 'app.module.js'));
  const { setupApp } = requireApp(join(root, 'dist', 'setup-app.js'));
  const app = await NestFactory.create(AppModule, { logger: false, bodyParser: false });
  setupApp(app);
  await app.listen(port, H);
  const base = process.env.ISSUER;
  const token = (auth, body) => fetch(`${base}/oauth/token`, { method: 'POST', headers: { ...FORM, authorization: auth }, body: new URLSearchParams(body).toString() }).then((r) => r.json());
  const counted = async (fn) => {
    await fn(); // warm: signing key, caches
    await new Promise((r) => setTimeout(r, 300)); // let queued audit batches and the last-use write go
    const before = count();
    await fn();
    return count() - before;
  };
  const { DataSource } = requireApp('typeorm');
  const secret = `mcpcs_${randomBytes(32).toString('base64url')}`;
  await app.get(DataSource).query(
    `INSERT INTO oauth_clients (client_id, client_secret_hash, client_name, redirect_uris, grant_types, scope, source)
     VALUES ('bench_cc', $1, 'bench', '{}', '{client_credentials}', '{read,write}', 'admin')`,
    [`sha256:${createHash('sha256').update(secret).digest('hex')}`],
  );
  const b = browser(base);
  const rows = [];
  rows.push(['POST /oauth/token client_credentials (generated secret)', 1, await counted(() => token(basic('bench_cc', secret), { grant_type: 'client_credentials' }))]);
  rows.push(['POST /oauth/token client_credentials (bcrypt secret, verified before)', 1, await counted(() => token(DEMO, { grant_type: 'client_credentials', scope: 'read' }))]);
  let pair = await b.tokens();
  {
    const { code, verifier } = await b.code();
    const before = count();
    pair = await token(DEMO, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: 'http://localhost:3000/callback' });
    rows.push(['POST /oauth/token authorization_code', 3, count() - before]);
  }
  rows.push(['POST /oauth/token refresh_token (rotation)', 2, await counted(async () => {
    pair = await token(DEMO, { grant_type: 'refresh_token', refresh_token: pair.refresh_token });
  })]);
  const fresh = () => token(DEMO, { grant_type: 'refresh_token', refresh_token: pair.refresh_token }).then((p) => (pair = p));
  const introspect = () => fetch(`${base}/oauth/introspect`, { method: 'POST', headers: { ...FORM, authorization: DEMO }, body: `token=${pair.access_token}` }).then((r) => r.text());
  {
    const before = count();
    await introspect();
    rows.push(['POST /oauth/introspect (first JWT of a user this instance has not seen)', 2, count() - before]);
  }
  pair = await token(DEMO, { grant_type: 'refresh_token', refresh_token: pair.refresh_token });
  await new Promise((r) => setTimeout(r, 300));
  {
    const before = count();
    await introspect();
    rows.push(['POST /oauth/introspect (a new JWT, steady state)', 1, count() - before]);
  }
  rows.push(['POST /oauth/introspect (the same JWT again)', 1, await counted(() => fetch(`${base}/oauth/introspect`, { method: 'POST', headers: { ...FORM, authorization: DEMO }, body: `token=${pair.access_token}` }))]);
  rows.push(['POST /tools/greet (bearer check, steady state)', 0, await counted(() => fetch(`${base}/tools/greet`, { method: 'POST', headers: { authorization: `Bearer ${pair.access_token}`, 'content-type': 'application/json' }, body: '{"name":"x"}' }).then((r) => r.text()))]);
  await app.close();
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Phase 2: throughput, side by side
// ---------------------------------------------------------------------------------------------
const ours = { port: 3110, ready: 'server ready', probe: '/health/ready' };
const peers = {
  oidc: { script: join(here, 'servers/oidc-provider.mjs'), port: 3104, ready: 'ready' },
  mcp: { script: join(here, 'servers/mcp-sdk.mjs'), port: 3105, ready: 'ready' },
};
const children = [];
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  dropDatabases();
});
function start(name, args, env, cwd, s) {
  return new Promise((resolve, reject) => {
    const cmd = SERVER_CPU ? ['taskset', '-c', SERVER_CPU, process.execPath, ...args] : [process.execPath, ...args];
    const child = spawn(cmd[0], cmd.slice(1), { cwd, env: { ...process.env, ...env, PORT: String(s.port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    s.proc = child;
    let log = '';
    const seen = (d) => {
      log += d;
      if (log.length > 20000) log = log.slice(-10000);
      if (log.includes(s.ready)) resolve();
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    s.log = () => log;
    if (s.probe) {
      const poll = setInterval(async () => {
        try {
          if ((await fetch(`http://${H}:${s.port}${s.probe}`)).ok) {
            clearInterval(poll);
            resolve();
          }
        } catch {}
      }, 250);
      child.on('exit', () => clearInterval(poll));
    }
    child.on('exit', (code) => {
      if (!s.stopping) reject(new Error(`${name} exited ${code}: ${log.slice(-2000)}`));
    });
    setTimeout(() => reject(new Error(`${name} not ready: ${log.slice(-2000)}`)), 120_000);
  });
}
const cpuSeconds = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};

async function throughput() {
  const url = freshDatabase();
  const profileHook = PROFILE ? ['-r', join(here, 'profile-hook.cjs')] : [];
  if (PROFILE) mkdirSync(PROFILE, { recursive: true });
  await start('ours', [...profileHook, 'dist/main.js'], {
    ...(PROFILE ? { BENCH_PROFILE_DIR: PROFILE } : {}),
    HOST: H, ISSUER: `http://${H}:${ours.port}`, SEED_DEMO: 'true', RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'warn',
    APP_SECRET, MAINTENANCE_ENABLED: 'false', NODE_ENV: 'production',
    ...(url ? { DATABASE_URL: url } : { DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-pglite-')) }),
  }, root, ours);
  for (const [name, p] of Object.entries(peers)) await start(name, [p.script], {}, here, p);

  const base = `http://${H}:${ours.port}`;
  const b = browser(base);
  const first = await b.tokens();
  const bearer = first.access_token;
  const refreshPool = [first.refresh_token];
  for (let i = 0; i < CONNS * 2; i++) refreshPool.push((await b.tokens()).refresh_token);
  // wrong-password logins for the flood: one login CSRF cookie and token, reused
  const loginPage = await fetch(`${base}/login`, { redirect: 'manual' });
  const loginCookie = loginPage.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const loginFields = hidden(await loginPage.text());
  const oidcBasic = basic('peer-client', 'peer-client-secret-0123456789abcdef');
  const oidcOpaque = async () => (await (await fetch(`http://${H}:${peers.oidc.port}/token`, { method: 'POST', headers: { ...FORM, authorization: oidcBasic }, body: 'grant_type=client_credentials&scope=read&resource=https%3A%2F%2Frs.example%2Fopaque' })).json()).access_token;
  const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const greet = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'greet', arguments: { name: 'World' } } });

  const targets = [
    { key: 'oidcCc', name: 'peer oidc-provider client_credentials (JWT)', server: peers.oidc, path: '/token', method: 'POST', headers: { ...FORM, authorization: oidcBasic }, body: 'grant_type=client_credentials&scope=read&resource=https%3A%2F%2Frs.example%2Fjwt' },
    { key: 'oursCc', name: 'ours client_credentials (JWT)', server: ours, path: '/oauth/token', method: 'POST', headers: { ...FORM, authorization: DEMO }, body: 'grant_type=client_credentials&scope=read' },
    { key: 'oursRefresh', name: 'ours refresh_token with rotation (fetch loop)', server: ours, loop: 'refresh' },
    { key: 'oursCcLoop', name: 'ours client_credentials (same fetch loop)', server: ours, loop: 'cc' },
    { key: 'oidcIntro', name: 'peer oidc-provider introspection (opaque)', server: peers.oidc, path: '/token/introspection', method: 'POST', headers: { ...FORM, authorization: oidcBasic }, body: async () => `token=${await oidcOpaque()}` },
    { key: 'oursIntro', name: 'ours introspection (JWT)', server: ours, path: '/oauth/introspect', method: 'POST', headers: { ...FORM, authorization: DEMO }, body: `token=${bearer}` },
    { key: 'sdkCall', name: 'peer MCP SDK tools/call, no auth', server: peers.mcp, path: '/mcp', method: 'POST', headers: mcpHeaders, body: greet },
    { key: 'oursMcp', name: 'ours MCP tools/call greet (bearer)', server: ours, path: '/mcp', method: 'POST', headers: { ...mcpHeaders, authorization: `Bearer ${bearer}` }, body: greet },
    { key: 'oursRest', name: 'ours REST /tools/greet (bearer)', server: ours, path: '/tools/greet', method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body: '{"name":"World"}' },
    { key: 'oursLive', name: 'ours GET /health/live', server: ours, path: '/health/live' },
    { key: 'oursRestFlood', name: 'ours REST /tools/greet during a login flood', server: ours, path: '/tools/greet', method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body: '{"name":"World"}', flood: true },
  ];
  if (process.env.TARGETS) {
    const re = new RegExp(process.env.TARGETS);
    for (let i = targets.length - 1; i >= 0; i--) if (!re.test(targets[i].key)) targets.splice(i, 1);
  }
  for (const t of targets) {
    if (t.loop) continue;
    const body = typeof t.body === 'function' ? await t.body() : t.body;
    const r = await fetch(`http://${H}:${t.server.port}${t.path}`, { method: t.method ?? 'GET', headers: t.headers, body });
    const text = await r.text();
    if (!r.ok) throw new Error(`${t.name}: ${r.status} ${text.slice(0, 300)}`);
  }

  const flood = () => {
    let n = 0;
    return autocannon({
      url: `${base}/login`, connections: 16, duration: SECS + 2,
      requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, headers: { ...FORM, cookie: loginCookie }, body: new URLSearchParams({ ...loginFields, username: `nobody${n++}`, password: 'wrong-password' }).toString() }) }],
    });
  };
  const profile = async (t, round, fn) => {
    if (!PROFILE || round !== 0) return fn();
    t.server.proc.kill('SIGWINCH');
    const result = await fn();
    writeFileSync(join(PROFILE, 'next'), `${t.key}.cpuprofile`);
    t.server.proc.kill('SIGWINCH');
    await new Promise((r) => setTimeout(r, 1500));
    return result;
  };
  async function load(t) {
    const pid = t.server.proc.pid;
    const c0 = cpuSeconds(pid);
    const w0 = performance.now();
    if (t.loop) {
      let ok = 0;
      let failures = 0;
      const latencies = [];
      const until = performance.now() + SECS * 1000;
      await Promise.all(Array.from({ length: CONNS }, async () => {
        let rt = t.loop === 'refresh' ? refreshPool.pop() : undefined;
        while (performance.now() < until) {
          const s0 = performance.now();
          const body = t.loop === 'refresh' ? `grant_type=refresh_token&refresh_token=${encodeURIComponent(rt)}` : 'grant_type=client_credentials&scope=read';
          const r = await fetch(`${base}/oauth/token`, { method: 'POST', headers: { ...FORM, authorization: DEMO }, body });
          const j = await r.json().catch(() => ({}));
          latencies.push(performance.now() - s0);
          if (r.ok && (t.loop === 'cc' || j.refresh_token)) {
            ok++;
            if (t.loop === 'refresh') rt = j.refresh_token;
          } else {
            failures++;
            if (t.loop === 'refresh') rt = (await b.tokens()).refresh_token;
          }
        }
        if (t.loop === 'refresh') refreshPool.push(rt);
      }));
      const wall = (performance.now() - w0) / 1000;
      latencies.sort((x, y) => x - y);
      return { rps: ok / wall, p50: latencies[latencies.length >> 1], p99: latencies[Math.floor(latencies.length * 0.99)], cpu: (cpuSeconds(pid) - c0) / wall, failures };
    }
    const body = typeof t.body === 'function' ? await t.body() : t.body;
    const fl = t.flood ? flood() : null;
    if (fl) await new Promise((r) => setTimeout(r, 1000));
    const c1 = cpuSeconds(pid);
    const w1 = performance.now();
    const r = await autocannon({ url: `http://${H}:${t.server.port}${t.path}`, method: t.method ?? 'GET', headers: { ...t.headers }, body, connections: CONNS, duration: SECS });
    const wall = (performance.now() - w1) / 1000;
    const result = { rps: (r.requests.total - r.non2xx) / r.duration, p50: r.latency.p50, p99: r.latency.p99, cpu: (cpuSeconds(pid) - c1) / wall, failures: r.non2xx + r.errors + r.timeouts };
    if (fl) {
      const f = await fl;
      result.floodRps = f.requests.average;
      result.floodStatus = Object.keys(f.statusCodeStats ?? {}).join(',');
    }
    return result;
  }

  for (const t of targets) await load({ ...t, flood: false }); // warm-up (JIT, pools, caches)
  const samples = new Map(targets.map((t) => [t.key, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = targets.map((_, i) => targets[(i + round * 3) % targets.length]);
    for (const t of order) samples.get(t.key).push(await profile(t, round, () => load(t)));
    process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
  }
  for (const s of [ours, ...Object.values(peers)]) {
    s.stopping = true;
    s.proc.kill('SIGTERM');
  }
  return { targets, samples };
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x) => (!Number.isFinite(x) ? '-' : x >= 100 ? Math.round(x).toLocaleString('en-US') : x >= 10 ? x.toFixed(1) : x.toFixed(2));

const out = { meta: { when: new Date().toISOString(), node: process.version, db: pglite ? 'pglite' : 'postgresql', rounds: ROUNDS, secs: SECS, conns: CONNS } };
if (process.env.ROUND_TRIPS !== '0') {
  out.roundTrips = await countRoundTrips();
  process.stdout.write(`\nDatabase round trips per request (${pglite ? 'PGlite' : 'PostgreSQL'}), goal in brackets:\n`);
  for (const [label, goal, n] of out.roundTrips) process.stdout.write(`  ${String(n).padStart(3)}  [≤ ${goal}]  ${n <= goal ? 'ok  ' : 'OVER'}  ${label}\n`);
}
const { targets, samples } = await throughput();
const ratio = (a, b) => {
  const A = samples.get(a);
  const B = samples.get(b);
  if (!A || !B) return NaN;
  return median(A.map((v, i) => v.rps / B[i].rps));
};
const cpuPerRequest = (key) => median(samples.get(key).map((v) => (1000 * v.cpu) / v.rps));
out.results = targets.map((t) => {
  const s = samples.get(t.key);
  return { key: t.key, name: t.name, rps: median(s.map((v) => v.rps)), p50: median(s.map((v) => v.p50)), p99: median(s.map((v) => v.p99)), serverCpu: median(s.map((v) => v.cpu)), cpuMsPerRequest: cpuPerRequest(t.key), failures: s.reduce((n, v) => n + v.failures, 0), floodRps: s.find((v) => v.floodRps)?.floodRps, floodStatus: s.find((v) => v.floodStatus)?.floodStatus };
});
const goals = [
  ['client_credentials ours / oidc-provider', 'oursCc', 'oidcCc', 1.0],
  ['refresh rotation ours / oidc-provider client_credentials', 'oursRefresh', 'oidcCc', 0.8],
  ['introspection ours / our GET /health/live', 'oursIntro', 'oursLive', 0.8],
  ['MCP tools/call ours (bearer) / MCP SDK (no auth)', 'oursMcp', 'sdkCall', 1.5],
  ['REST /tools/greet (bearer) / our GET /health/live', 'oursRest', 'oursLive', 0.85],
  ['REST during a login flood / without', 'oursRestFlood', 'oursRest', 0.8],
];
out.ratios = Object.fromEntries(goals.map(([label, a, b, goal]) => [label, { ratio: ratio(a, b), goal }]));
out.info = {
  'refresh / client_credentials, same fetch loop': ratio('oursRefresh', 'oursCcLoop'),
  'introspection ours / oidc-provider (Koa)': ratio('oursIntro', 'oidcIntro'),
};
const floodRow = out.results.find((r) => r.key === 'oursRestFlood');
out.floodP99 = floodRow?.p99;
const outPath = process.env.OUT ?? join(tmpdir(), `bench-${out.meta.db}-${Date.now()}.json`);
writeFileSync(outPath, JSON.stringify(out, null, 2));

process.stdout.write(`\nThroughput, ${CONNS} connections, ${SECS} s per target, ${ROUNDS} round(s), ${out.meta.db}, server on CPU ${SERVER_CPU || 'any'}:\n`);
for (const r of out.results) {
  process.stdout.write(`  ${r.name.padEnd(50)} ${fmt(r.rps).padStart(7)} req/s  p50 ${fmt(r.p50).padStart(5)} ms  p99 ${fmt(r.p99).padStart(5)} ms  server CPU ${fmt(r.cpuMsPerRequest)} ms/req${r.failures ? `  failures ${r.failures}` : ''}${r.floodRps ? `  (flood ${fmt(r.floodRps)}/s: ${r.floodStatus})` : ''}\n`);
}
process.stdout.write('\nRatios in this run (goal):\n');
for (const [label, { ratio: v, goal }] of Object.entries(out.ratios)) {
  process.stdout.write(`  ${fmt(v).padStart(6)}×  (≥ ${goal})  ${Number.isFinite(v) ? (v >= goal ? 'met ' : 'MISS') : '    '}  ${label}\n`);
}
if (floodRow) process.stdout.write(`  p99 during the flood: ${fmt(floodRow.p99)} ms (goal < 50 ms)\n`);
for (const [label, v] of Object.entries(out.info)) process.stdout.write(`  ${fmt(v).padStart(6)}×  ${label}\n`);
if (PROFILE) {
  for (const t of targets) {
    if (t.server !== ours) continue;
    const file = join(PROFILE, `${t.key}.cpuprofile`);
    try {
      process.stdout.write(`\nCPU profile, ${t.name} (${file}):\n${summarizeProfile(JSON.parse(readFileSync(file, 'utf8')))}\n`);
    } catch {}
  }
}
process.stdout.write(`\nresults: ${outPath}\n`);
process.exit(0);
