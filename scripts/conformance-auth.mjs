#!/usr/bin/env node
/**
 * Headless driver for `conformance authorization` (@modelcontextprotocol/conformance, docs/mcp.md §4.4)
 * against a running server. The suite prints an authorization URL and waits for a browser to come
 * back to its callback listener; our /authorize needs a person (login + consent), so this script
 * plays that person: it reads the URL, signs in as the demo user and approves the consent page with
 * a cookie-keeping fetch, then delivers the final redirect to the suite's listener.
 *
 * Unless --client-id is given, a public client with redirect http://127.0.0.1:<port>/callback is
 * registered first through the server's registration endpoint (RFC 7591).
 *
 *   node scripts/conformance-auth.mjs --issuer http://127.0.0.1:8000 [--client-id ID] [--port 3999]
 *        [--resource <issuer>/mcp] [--output-dir DIR] [--timeout-ms 120000]
 *   DEMO_USERNAME / DEMO_PASSWORD override demo_user / demo_password.
 *
 * Exit status: the suite's (0 = every check passed).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { conformanceCli } from './conformance-cli.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SHIM = join(ROOT, 'scripts/node20-globsync.mjs');

/** Node flags for the conformance CLI: the globSync shim below Node 22 (docs/mcp.md §4.1). */
export function conformanceNodeArgs() {
  const major = Number(process.versions.node.split('.')[0]);
  return major < 22 ? ['--import', pathToFileURL(SHIM).href] : [];
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const ENTITIES = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&#96;': '`',
  '&#61;': '=',
};
const unescape = (s) => s.replace(/&(amp|lt|gt|quot|#39|#96|#61);/g, (e) => ENTITIES[e]);
function hiddenFields(html) {
  const fields = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields[unescape(m[1])] = unescape(m[2]);
  return fields;
}

/** fetch with a cookie jar and manual redirects. */
function cookieBrowser() {
  const cookies = new Map();
  return async function go(url, init = {}) {
    const headers = new Headers(init.headers);
    if (cookies.size) headers.set('Cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, {
      ...init,
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(15000),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1);
      if (/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(line) || value === '')
        cookies.delete(pair.slice(0, eq));
      else cookies.set(pair.slice(0, eq), value);
    }
    return res;
  };
}

/**
 * From an authorization URL to the redirect back to the client: follows the server's redirects,
 * fills the login form, approves the consent page. Returns the URL of the client's callback.
 */
export async function loginAndConsent(authorizationUrl, { username, password }) {
  const go = cookieBrowser();
  const start = new URL(authorizationUrl);
  const form = (fields) => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  let url = start;
  let res = await go(url);
  for (let hop = 0; hop < 10; hop++) {
    if (res.status === 302 || res.status === 303) {
      const next = new URL(res.headers.get('location'), url);
      if (next.origin !== start.origin) return next;
      url = next;
      res = await go(url);
      continue;
    }
    const html = await res.text();
    if (res.status !== 200)
      throw new Error(`${url.pathname} answered ${res.status}: ${html.slice(0, 200)}`);
    if (url.pathname === '/login') {
      url = new URL('/login', url);
      res = await go(url, form({ ...hiddenFields(html), username, password }));
    } else {
      url = new URL('/consent', url);
      res = await go(url, form({ ...hiddenFields(html), decision: 'approve' }));
    }
  }
  throw new Error('too many redirects between /authorize, /login and /consent');
}

/** RFC 7591 registration of a public client for the suite's callback listener. */
export async function registerPublicClient(issuer, redirectUri) {
  const metadata = await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json();
  if (!metadata.registration_endpoint) {
    throw new Error(
      'the server advertises no registration_endpoint; pass --client-id of a pre-registered public client',
    );
  }
  const res = await fetch(metadata.registration_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({
      client_name: 'MCP conformance suite',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: 'read write',
    }),
  });
  const body = await res.json().catch(() => ({}));
  if (res.status !== 201 || typeof body.client_id !== 'string') {
    throw new Error(
      `registration failed: ${res.status} ${body.error ?? ''} ${body.error_description ?? ''}`.trim(),
    );
  }
  return body.client_id;
}

/**
 * Runs `conformance authorization` against `issuer`, driving its browser step. Resolves with the
 * suite's exit code and its output.
 */
export async function runAuthorizationSuite({
  issuer,
  clientId,
  port,
  resource = `${issuer}/mcp`,
  outputDir,
  timeoutMs = 120_000,
  username = process.env.DEMO_USERNAME ?? 'demo_user',
  password = process.env.DEMO_PASSWORD ?? 'demo_password',
  onOutput = (chunk) => process.stdout.write(chunk),
}) {
  port ??= await freePort();
  clientId ??= await registerPublicClient(issuer, `http://127.0.0.1:${port}/callback`);
  const args = [
    ...conformanceNodeArgs(),
    conformanceCli(),
    'authorization',
    '--url',
    issuer,
    '--client-id',
    clientId,
    '-p',
    String(port),
    '--resource',
    resource,
  ];
  if (outputDir) args.push('-o', outputDir);
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let driven = false;
  let failure;
  const timer = setTimeout(() => {
    failure ??= new Error(`conformance authorization did not finish within ${timeoutMs} ms`);
    child.kill('SIGTERM');
  }, timeoutMs);

  const drive = async (authorizationUrl) => {
    try {
      const callback = await loginAndConsent(authorizationUrl, { username, password });
      if (callback.origin !== `http://127.0.0.1:${port}`)
        throw new Error(`redirected to ${callback.origin}, not the suite's listener`);
      // The suite's listener reads code, state and iss from here, then calls the token endpoint.
      await fetch(callback, { signal: AbortSignal.timeout(15000) }).then((r) => r.text());
    } catch (err) {
      failure ??= err;
      child.kill('SIGTERM');
    }
  };
  const onData = (chunk) => {
    const text = chunk.toString();
    output += text;
    onOutput(text);
    if (driven) return;
    const match = /^(https?:\/\/\S*[?&]response_type=code\S*)$/m.exec(output);
    if (match) {
      driven = true;
      void drive(match[1]);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const code = await new Promise((resolve) =>
    child.on('close', (c, signal) => resolve(c ?? (signal ? 1 : 0))),
  );
  clearTimeout(timer);
  if (failure) {
    const message = `conformance-auth: ${failure.message ?? failure}\n`;
    output += message;
    onOutput(message);
    return { code: code || 1, output };
  }
  return { code, output };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      port: { type: 'string' },
      resource: { type: 'string' },
      'output-dir': { type: 'string' },
      'timeout-ms': { type: 'string' },
    },
  });
  const issuer = values.issuer ?? process.env.ISSUER;
  if (!issuer) {
    process.stderr.write(
      'usage: node scripts/conformance-auth.mjs --issuer <issuer> [--client-id ID] [--port N]\n',
    );
    process.exit(2);
  }
  const { code } = await runAuthorizationSuite({
    issuer,
    clientId: values['client-id'],
    port: values.port ? Number(values.port) : undefined,
    resource: values.resource,
    outputDir: values['output-dir'],
    timeoutMs: values['timeout-ms'] ? Number(values['timeout-ms']) : undefined,
  }).catch((err) => {
    process.stderr.write(`conformance-auth: ${err.message}\n`);
    return { code: 1 };
  });
  process.exit(code);
}
