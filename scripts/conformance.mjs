#!/usr/bin/env node
/**
 * `npm run conformance`: the MCP conformance suite (@modelcontextprotocol/conformance; README "MCP
 * conformance") for both protocol revisions /mcp serves, on loopback ports, with a throw-away
 * in-memory database:
 *
 *   1. npm run build (skip with CONFORMANCE_SKIP_BUILD=1 when dist/ is current)
 *   2. the test-only fixture, its own HTTP server outside src/ (test/conformance/fixture-server.ts,
 *      through scripts/register-ts.cjs), unauthenticated: `conformance server --requirements 2025-11-25` and
 *      `--requirements 2026-07-28`, each with its expected-failures file
 *      (conformance-baseline.yml, conformance-baseline-2026-07-28.yml)
 *   3. the real server (node dist/main.js, NODE_ENV=test, demo data): `conformance authorization`
 *      against /oauth, its browser step driven by scripts/conformance-auth.mjs, and the
 *      `dns-rebinding-protection` scenario on the real /mcp for both revisions, reached as
 *      http://localhost:<port>/mcp while ISSUER says 127.0.0.1 (scripts/conformance-bearer.mjs
 *      adds a client_credentials token, since the CLI cannot send one)
 *
 * CONFORMANCE_SPEC=2025-11-25|2026-07-28 runs one revision only. Prints each suite's "Total: N
 * passed, N failed" line; exits non-zero on any unexpected failure. Results (checks.json per
 * scenario) go to artifacts/conformance/. Every step has a deadline.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { conformanceNodeArgs, freePort, runAuthorizationSuite } from './conformance-auth.mjs';
import { conformanceCli } from './conformance-cli.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BEARER_SHIM = join(ROOT, 'scripts/conformance-bearer.mjs');
const RESULTS = join(ROOT, 'artifacts/conformance');
const REVISIONS = [
  { spec: '2025-11-25', baseline: join(ROOT, 'conformance-baseline.yml') },
  { spec: '2026-07-28', baseline: join(ROOT, 'conformance-baseline-2026-07-28.yml') },
].filter((r) => !process.env.CONFORMANCE_SPEC || r.spec === process.env.CONFORMANCE_SPEC);

const log = (line) => process.stdout.write(`[conformance] ${line}\n`);

/** Runs a command to completion (output passed through), killing it at the deadline. */
function run(command, args, { timeoutMs, env, capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: timedOut ? 124 : (code ?? (signal ? 1 : 0)),
        output: capture ? output : '',
        timedOut,
      });
    });
  });
}

/** Starts the built server; resolves once /health/ready answers 200. */
async function startServer(port, dataDir) {
  const issuer = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    ISSUER: issuer,
    DATABASE_URL: 'memory://',
    DATA_DIR: dataDir,
    APP_SECRET: randomBytes(32).toString('base64url'),
    SEED_DEMO: 'true',
    BCRYPT_COST: '4',
    LOG_LEVEL: 'warn',
  };
  const child = spawn(process.execPath, [join(ROOT, 'dist/main.js')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let serverLog = '';
  child.stdout.on('data', (c) => (serverLog += c));
  child.stderr.on('data', (c) => (serverLog += c));
  let exited = null;
  child.on('exit', (code) => (exited = code ?? 1));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && exited === null) {
    const ok = await fetch(`${issuer}/health/ready`, { signal: AbortSignal.timeout(2000) })
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return { child, issuer, log: () => serverLog };
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGKILL');
  throw new Error(
    `the server did not become ready (exit ${exited ?? 'none'}):\n${serverLog.slice(-2000)}`,
  );
}

function stopServer(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts the fixture server (TypeScript through scripts/register-ts.cjs); resolves with its URL once it listens. */
async function startFixture(port) {
  const child = spawn(
    process.execPath,
    [
      '-r',
      join(ROOT, 'scripts/register-ts.cjs'),
      join(ROOT, 'test/conformance/fixture-server.ts'),
      String(port),
    ],
    {
      cwd: ROOT,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the conformance fixture did not start:\n${output.slice(-2000)}`));
    }, 60_000);
    const onData = (chunk) => {
      output += chunk;
      const url = /conformance fixture ready at (\S+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the conformance fixture exited (${code}):\n${output.slice(-2000)}`));
    });
  });
}

/** An access token for /mcp: client_credentials for the demo client (SEED_DEMO). */
async function demoAccessToken(issuer) {
  const res = await fetch(`${issuer}/oauth/token`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${Buffer.from('demo_client:demo_secret').toString('base64')}`,
    },
    body: 'grant_type=client_credentials&scope=read',
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.json().catch(() => ({}));
  if (res.status !== 200 || typeof body.access_token !== 'string')
    throw new Error(`no access token for the real /mcp: ${res.status} ${body.error ?? ''}`);
  return body.access_token;
}

const serverSuiteArgs = (url, extra) => [
  conformanceCli(),
  'server',
  '--url',
  url,
  '--timeout',
  '20000',
  ...extra,
];

function totalLine(output) {
  const single = /Passed: (\d+)\/\d+, (\d+) failed/.exec(output);
  const total =
    /Total: \d+ passed, \d+ failed/.exec(output)?.[0] ??
    (single ? `Total: ${single[1]} passed, ${single[2]} failed` : 'Total: (no summary)');
  if (/Baseline is stale/.test(output))
    return `${total} (stale baseline entries: remove them from the baseline)`;
  if (/Unexpected failures detected/.test(output)) return `${total} (failures not in the baseline)`;
  if (/Baseline check passed/.test(output))
    return `${total} (every failure expected: in the baseline or not scored; see the README)`;
  return total;
}

async function main() {
  if (process.env.CONFORMANCE_SKIP_BUILD !== '1') {
    log('building (npm run build)');
    const build = await run('npm', ['run', 'build', '--silent'], { timeoutMs: 180_000 });
    if (build.code !== 0) throw new Error(`build failed (exit ${build.code})`);
  }
  rmSync(RESULTS, { recursive: true, force: true });
  mkdirSync(RESULTS, { recursive: true });
  const results = [];

  const fixturePort = await freePort();
  log(
    `starting the conformance fixture on 127.0.0.1:${fixturePort} (test/conformance, no authentication)`,
  );
  const fixture = await startFixture(fixturePort);
  try {
    for (const { spec, baseline } of REVISIONS) {
      log(`server suite: conformance server --requirements ${spec} --url ${fixture.url}`);
      const suite = await run(
        process.execPath,
        [
          ...conformanceNodeArgs(),
          ...serverSuiteArgs(fixture.url, [
            '--requirements',
            spec,
            '--expected-failures',
            baseline,
            '-o',
            join(RESULTS, `server-${spec}`),
          ]),
        ],
        { timeoutMs: 180_000, capture: true },
      );
      results.push({
        name: `server ${spec} (fixture)`,
        code: suite.code,
        total: totalLine(suite.output),
      });
    }
  } finally {
    await stopServer(fixture.child);
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'mcp-conformance-'));
  const port = await freePort();
  log(`starting the server on 127.0.0.1:${port} (in-memory database, demo data)`);
  const server = await startServer(port, dataDir);
  try {
    log(
      `authorization suite: conformance authorization --url ${server.issuer} --resource ${server.issuer}/mcp`,
    );
    const authSuite = await runAuthorizationSuite({
      issuer: server.issuer,
      outputDir: join(RESULTS, 'authorization'),
      timeoutMs: 90_000,
    }).catch((err) => ({ code: 1, output: `conformance-auth: ${err.message}\n` }));
    if (authSuite.code !== 0 && !/Total:/.test(authSuite.output))
      process.stdout.write(authSuite.output);
    results.push({
      name: 'authorization (real /oauth endpoints)',
      code: authSuite.code,
      total: totalLine(authSuite.output),
    });

    // The real endpoint under another loopback name than ISSUER's: both must be accepted.
    const mcpUrl = `http://localhost:${port}/mcp`;
    const token = await demoAccessToken(server.issuer);
    for (const { spec } of REVISIONS) {
      log(`dns-rebinding-protection (${spec}) on the real /mcp: ${mcpUrl}, with a bearer token`);
      const suite = await run(
        process.execPath,
        [
          ...conformanceNodeArgs(),
          '--import',
          pathToFileURL(BEARER_SHIM).href,
          ...serverSuiteArgs(mcpUrl, [
            '--scenario',
            'dns-rebinding-protection',
            '--spec-version',
            spec,
            '-o',
            join(RESULTS, `dns-rebinding-${spec}`),
          ]),
        ],
        {
          timeoutMs: 60_000,
          capture: true,
          env: {
            CONFORMANCE_CLI: conformanceCli(),
            CONFORMANCE_BEARER_TOKEN: token,
            CONFORMANCE_BEARER_ORIGIN: new URL(mcpUrl).origin,
          },
        },
      );
      results.push({
        name: `dns-rebinding-protection ${spec} (real /mcp)`,
        code: suite.code,
        total: totalLine(suite.output),
      });
    }
  } finally {
    await stopServer(server.child);
    rmSync(dataDir, { recursive: true, force: true });
  }

  process.stdout.write('\n== MCP conformance\n');
  for (const r of results)
    process.stdout.write(`${r.code === 0 ? 'ok  ' : 'FAIL'} ${r.name}: ${r.total}\n`);
  const failed = results.filter((r) => r.code !== 0);
  if (failed.length) {
    process.stdout.write(
      `${failed.length} suite(s) with unexpected failures; results in artifacts/conformance/\n`,
    );
    process.exitCode = 1;
  }
}

main().catch((err) => {
  process.stderr.write(`[conformance] ${err.message}\n`);
  process.exitCode = 1;
});
