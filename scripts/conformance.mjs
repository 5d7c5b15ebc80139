#!/usr/bin/env node
/**
 * `npm run conformance`: the MCP conformance suite (@modelcontextprotocol/conformance, docs/mcp.md §4) against
 * a freshly built server on a free loopback port with a throw-away in-memory database.
 *
 *   1. npm run build (skip with CONFORMANCE_SKIP_BUILD=1 when dist/ is current)
 *   2. node dist/main.js with DATABASE_URL=memory://, NODE_ENV=test, MCP_CONFORMANCE_FIXTURE=true
 *   3. conformance server --requirements 2025-11-25 against the unauthenticated fixture at
 *      /conformance/mcp, with conformance-baseline.yml as the expected failures
 *   4. conformance authorization against the real /oauth endpoints, its browser step driven by
 *      scripts/conformance-auth.mjs (a public client registered through /oauth/register)
 *
 * Prints each suite's "Total: N passed, N failed" line; exits non-zero on any unexpected failure.
 * Results (checks.json per scenario) go to artifacts/conformance/. Every step has a deadline.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { conformanceNodeArgs, freePort, runAuthorizationSuite } from './conformance-auth.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const BASELINE = join(ROOT, 'conformance-baseline.yml');
const RESULTS = join(ROOT, 'artifacts/conformance');
const SPEC = process.env.CONFORMANCE_SPEC ?? '2025-11-25';

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
    MCP_CONFORMANCE_FIXTURE: 'true',
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

function totalLine(output) {
  const total = /Total: \d+ passed, \d+ failed/.exec(output)?.[0] ?? 'Total: (no summary)';
  if (/Baseline is stale/.test(output))
    return `${total} (stale baseline entries: remove them from conformance-baseline.yml)`;
  if (/Unexpected failures detected/.test(output))
    return `${total} (failures not in conformance-baseline.yml)`;
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
  const dataDir = mkdtempSync(join(tmpdir(), 'mcp-conformance-'));
  const port = await freePort();
  log(`starting the server on 127.0.0.1:${port} (in-memory database, conformance fixture on)`);
  const server = await startServer(port, dataDir);
  const results = [];
  try {
    log(
      `server suite: conformance server --requirements ${SPEC} --url ${server.issuer}/conformance/mcp`,
    );
    const serverSuite = await run(
      process.execPath,
      [
        ...conformanceNodeArgs(),
        CLI,
        'server',
        '--url',
        `${server.issuer}/conformance/mcp`,
        '--requirements',
        SPEC,
        '--expected-failures',
        BASELINE,
        '--timeout',
        '20000',
        '-o',
        join(RESULTS, 'server'),
      ],
      { timeoutMs: 150_000, capture: true },
    );
    results.push({
      name: `server (${SPEC}, fixture)`,
      code: serverSuite.code,
      total: totalLine(serverSuite.output),
    });

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
