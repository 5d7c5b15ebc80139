#!/usr/bin/env node
/**
 * Times failed sign-ins against a running server: an unknown username versus a known one with a
 * wrong password (or, once that account is locked, its locked path). Both should cost the same: one
 * lookup, one bcrypt comparison, one UPDATE. Prints medians and spread; asserts nothing.
 *
 * Start the server without rate limits so the samples are not cut short, e.g.
 *   RATE_LIMIT_ENABLED=false LOGIN_LOCKOUT_THRESHOLD=0 DATABASE_URL=memory:// npm start   # wrong-password path
 *   RATE_LIMIT_ENABLED=false DATABASE_URL=memory:// npm start                             # locked path after 5
 * then
 *   node scripts/login-timing.mjs                 # ISSUER=http://localhost:8000 USERNAME=demo_user SAMPLES=40
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

const ISSUER = process.env.ISSUER ?? 'http://localhost:8000';
const USERNAME = process.env.USERNAME ?? 'demo_user';
const SAMPLES = Number(process.env.SAMPLES ?? 40);
const WARMUP = 3;

async function attempt(username) {
  const page = await fetch(`${ISSUER}/login`);
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error('no CSRF token on the login page');
  const body = new URLSearchParams({
    csrf_token: csrf,
    username,
    password: `wrong-${randomBytes(6).toString('hex')}`,
  });
  const started = performance.now();
  const res = await fetch(`${ISSUER}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
    body,
    redirect: 'manual',
  });
  await res.arrayBuffer();
  const ms = performance.now() - started;
  if (res.status !== 400)
    throw new Error(
      `expected 400, got ${res.status} (rate limited? start with RATE_LIMIT_ENABLED=false)`,
    );
  return ms;
}

const quantile = (xs, q) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const describe = (xs) =>
  `median ${quantile(xs, 0.5).toFixed(1)} ms  p10 ${quantile(xs, 0.1).toFixed(1)}  p90 ${quantile(xs, 0.9).toFixed(1)}  (n=${xs.length})`;

const unknown = [];
const known = [];
for (let i = 0; i < WARMUP + SAMPLES; i++) {
  // Interleaved, alternating which goes first, so drift affects both alike.
  const pair = i % 2 === 0 ? ['u', 'k'] : ['k', 'u'];
  for (const which of pair) {
    const ms = await attempt(which === 'u' ? `nobody-${randomBytes(6).toString('hex')}` : USERNAME);
    if (i >= WARMUP) (which === 'u' ? unknown : known).push(ms);
  }
}
process.stdout.write(`unknown user:             ${describe(unknown)}\n`);
process.stdout.write(`known user (${USERNAME}): ${describe(known)}\n`);
process.stdout.write(
  `difference of medians:    ${(quantile(known, 0.5) - quantile(unknown, 0.5)).toFixed(1)} ms\n`,
);
