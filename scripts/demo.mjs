#!/usr/bin/env node
/**
 * The demo flow against a running server (`npm start` first), step by step, using nothing but fetch:
 * PKCE → authorization URL → the real login and consent forms as demo_user → code exchange → decoded
 * access token → refresh with rotation → introspection → a tool call over MCP and over REST →
 * revocation → introspection again.
 *
 *   npm run demo                     # against http://localhost:8000
 *   ISSUER=http://127.0.0.1:9000 npm run demo
 */
import { createHash, randomBytes } from 'node:crypto';

const ISSUER = process.env.ISSUER ?? 'http://localhost:8000';
const CLIENT_ID = process.env.DEMO_CLIENT_ID ?? 'demo_client';
const CLIENT_SECRET = process.env.DEMO_CLIENT_SECRET ?? 'demo_secret';
const REDIRECT_URI = process.env.DEMO_REDIRECT_URI ?? 'http://localhost:3000/callback';
const USERNAME = process.env.DEMO_USERNAME ?? 'demo_user';
const PASSWORD = process.env.DEMO_PASSWORD ?? 'demo_password';

const basic = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64')}`;
const cookies = new Map();
let step = 0;

function title(text) {
  step += 1;
  process.stdout.write(`\n\x1b[1m${step}. ${text}\x1b[0m\n`);
}
function show(label, value) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  process.stdout.write(`   ${label}: ${text.replace(/\n/g, '\n   ')}\n`);
}
const short = (token) => (token ? `${token.slice(0, 16)}…(${token.length} chars)` : token);

/** fetch with a cookie jar and no automatic redirects, like a careful browser. */
async function browse(url, init = {}) {
  const headers = new Headers(init.headers);
  if (cookies.size) headers.set('Cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
  const res = await fetch(new URL(url, ISSUER), { ...init, headers, redirect: 'manual' });
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    const value = pair.slice(eq + 1);
    if (/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(line) || value === '') cookies.delete(pair.slice(0, eq));
    else cookies.set(pair.slice(0, eq), value);
  }
  return res;
}

const unescape = (s) =>
  s.replace(/&(amp|lt|gt|quot|#39|#96|#61);/g, (e) => ({ '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#96;': '`', '&#61;': '=' })[e]);
function hiddenFields(html) {
  const fields = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[unescape(m[1])] = unescape(m[2]);
  return fields;
}
const form = (fields) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
function decodeJwt(jwt) {
  const [header, payload] = jwt.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
  return { header, payload };
}
async function tokenRequest(fields) {
  const res = await fetch(`${ISSUER}/oauth/token`, {
    method: 'POST',
    headers: { Authorization: basic, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`);
  return body;
}
async function introspect(token) {
  const res = await fetch(`${ISSUER}/oauth/introspect`, {
    method: 'POST',
    headers: { Authorization: basic, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  return res.json();
}

async function main() {
  title('Discover the server');
  const metadata = await (await fetch(`${ISSUER}/.well-known/oauth-authorization-server`)).json();
  show('issuer', metadata.issuer);
  show('authorization_endpoint', metadata.authorization_endpoint);
  show('token_endpoint', metadata.token_endpoint);

  title('Generate a PKCE pair (RFC 7636, S256)');
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(12).toString('base64url');
  show('code_verifier', short(verifier));
  show('code_challenge', challenge);

  title('Build the authorization URL');
  const authorize = new URL(metadata.authorization_endpoint);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    scope: 'read write',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    resource: `${ISSUER}/mcp`,
  }))
    authorize.searchParams.set(k, v);
  show('url', authorize.toString());

  title(`Sign in as ${USERNAME} through the login form`);
  let res = await browse(authorize);
  if (res.status !== 302) throw new Error(`expected a redirect to the login page, got ${res.status}`);
  const loginPage = await browse(res.headers.get('location'));
  const loginFields = hiddenFields(await loginPage.text());
  res = await browse('/login', form({ ...loginFields, username: USERNAME, password: PASSWORD }));
  if (res.status !== 303) throw new Error(`login failed with status ${res.status}`);
  show('login', `303 → ${res.headers.get('location').slice(0, 60)}…`);

  title('Approve the consent page');
  res = await browse(res.headers.get('location'));
  if (res.status === 200) {
    const consentHtml = await res.text();
    const app = /Allow <strong>([^<]+)<\/strong>/.exec(consentHtml)?.[1];
    show('the page asks', `Allow ${app} to access your account? (scopes: read write)`);
    res = await browse('/consent', form({ ...hiddenFields(consentHtml), decision: 'approve' }));
  } else {
    show('consent', 'already given earlier; no page shown');
  }
  const callback = new URL(res.headers.get('location'));
  const code = callback.searchParams.get('code');
  show('redirect', `${callback.origin}${callback.pathname}?code=…&state=…&iss=${callback.searchParams.get('iss')}`);
  show('state matches', String(callback.searchParams.get('state') === state));
  show('code', short(code));

  title('Exchange the code for tokens');
  const tokens = await tokenRequest({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI, resource: `${ISSUER}/mcp` });
  show('token_type', tokens.token_type);
  show('expires_in', String(tokens.expires_in));
  show('scope', tokens.scope);
  show('refresh_token', short(tokens.refresh_token));
  const { header, payload } = decodeJwt(tokens.access_token);
  show('access token header', header);
  show('access token claims', payload);

  title('Call the greet tool over MCP (Streamable HTTP, JSON-RPC)');
  const mcp = async (body) => {
    const r = await fetch(`${ISSUER}/mcp`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${tokens.access_token}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'MCP-Protocol-Version': '2025-11-25',
      },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: await r.json().catch(() => null) };
  };
  const init = await mcp({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'demo', version: '1.0.0' } } });
  show('initialize', `${init.status} server ${init.body?.result?.serverInfo?.name ?? '?'}`);
  const call = await mcp({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'greet', arguments: { name: 'World' } } });
  show('tools/call greet', call.body?.result?.content?.[0]?.text ?? call.body);

  title('Call the same tool over REST');
  const rest = await fetch(`${ISSUER}/tools/greet`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${tokens.access_token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'World' }),
  });
  show(`POST /tools/greet → ${rest.status}`, await rest.json());

  title('Refresh: the refresh token rotates');
  const refreshed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
  show('new refresh_token', short(refreshed.refresh_token));
  show('rotated', String(refreshed.refresh_token !== tokens.refresh_token));
  show('new access token jti', decodeJwt(refreshed.access_token).payload.jti);

  title('Introspect the new access token (RFC 7662)');
  show('before revocation', await introspect(refreshed.access_token));

  title('Revoke the refresh token (RFC 7009): the whole grant goes with it');
  const revoke = await fetch(`${ISSUER}/oauth/revoke`, {
    method: 'POST',
    headers: { Authorization: basic, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: refreshed.refresh_token, token_type_hint: 'refresh_token' }).toString(),
  });
  show('revoke', String(revoke.status));
  show('access token after revocation', await introspect(refreshed.access_token));
  show('refresh token after revocation', await introspect(refreshed.refresh_token));
  const again = await fetch(`${ISSUER}/tools/greet`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${refreshed.access_token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'World' }),
  });
  show('tool call with the revoked token', `${again.status} ${again.headers.get('www-authenticate')}`);
  process.stdout.write('\nDone.\n');
}

main().catch((err) => {
  process.stderr.write(`\ndemo failed: ${err.message}\n(is the server running? npm start)\n`);
  process.exit(1);
});
