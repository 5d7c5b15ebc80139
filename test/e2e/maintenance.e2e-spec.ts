import { SchedulerRegistry } from '@nestjs/schedule';
import { decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { AuditService } from 'src/audit/audit.service';
import { Clock } from 'src/common/clock';
import { DcrClientExpiryJob } from 'src/maintenance/dcr-client-expiry.job';
import { KeyRotationJob } from 'src/maintenance/key-rotation.job';
import { PurgeTargets } from 'src/maintenance/purge-targets';
import { MaintenanceScheduler } from 'src/maintenance/maintenance.scheduler';
import { PurgeExpiredJob } from 'src/maintenance/purge-expired.job';
import { SigningKeysService } from 'src/tokens/keys/signing-keys.service';
import { TokenRejectedError, TokenVerifier } from 'src/tokens/keys/token-verifier';
import { insertClient } from '../factories/client.factory';
import { MutableClock } from '../fakes/mutable-clock';
import { demoBasic } from '../support/browser';
import { createTestApp, TestApp } from './create-test-app';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

describe('Maintenance jobs (e2e)', () => {
  let t: TestApp;
  const clock = new MutableClock();
  const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString();
  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM ${sql}`, params))[0].n;
  const clientCredentials = () =>
    request(t.http)
      .post('/oauth/token')
      .set('Authorization', demoBasic())
      .type('form')
      .send({ grant_type: 'client_credentials', scope: 'read' });

  beforeAll(async () => {
    t = await createTestApp({ override: (b) => b.overrideProvider(Clock).useValue(clock) });
  });
  afterAll(() => t.close());

  it('should not schedule anything under NODE_ENV=test unless asked', async () => {
    expect(t.config.maintenance.enabled).toBe(false);
    expect(t.app.get(SchedulerRegistry).getIntervals()).toEqual([]);
  });

  it('should schedule every job when enabled, and stop them on shutdown', async () => {
    const scheduled = await createTestApp({ env: { MAINTENANCE_ENABLED: 'true' } });
    try {
      const registry = scheduled.app.get(SchedulerRegistry);
      expect(registry.getIntervals().sort()).toEqual([
        'expire-dcr-clients',
        'purge-expired',
        'rotate-signing-keys',
      ]);
      // A run started by hand shares the scheduler's guard against overlapping runs.
      await scheduled.app.get(MaintenanceScheduler).run('purge-expired');
    } finally {
      await scheduled.close();
    }
  });

  describe('purge', () => {
    it('should delete exactly the expired rows, in batches, while token requests go on', async () => {
      const resource = t.config.mcp.resource;
      // 5 000 expired access tokens and 100 valid ones, each set in one statement.
      await t.dataSource.query(
        `INSERT INTO access_tokens (jti, client_id, scope, resource, expires_at)
         SELECT 'p-expired-' || g, 'demo_client', '{read}', $1, $2::timestamptz FROM generate_series(1, 5000) g`,
        [resource, at(-HOUR_MS)],
      );
      await t.dataSource.query(
        `INSERT INTO access_tokens (jti, client_id, scope, resource, expires_at)
         SELECT 'p-valid-' || g, 'demo_client', '{read}', $1, $2::timestamptz FROM generate_series(1, 100) g`,
        [resource, at(HOUR_MS)],
      );
      const grant = async (expiresInMs: number): Promise<string> =>
        (
          await t.dataSource.query(
            `INSERT INTO grants (client_id, resource, expires_at) VALUES ('demo_client', $1, $2) RETURNING id`,
            [resource, at(expiresInMs)],
          )
        )[0].id;
      const live = await grant(DAY_MS);
      // Refresh tokens: 1 500 expired, 10 valid, on a live grant.
      await t.dataSource.query(
        `INSERT INTO refresh_tokens (token_hash, client_id, scope, resource, grant_id, expires_at)
         SELECT 'p-rt-' || g, 'demo_client', '{read}', $1, $2, CASE WHEN g <= 1500 THEN $3::timestamptz ELSE $4::timestamptz END
           FROM generate_series(1, 1510) g`,
        [resource, live, at(-1000), at(DAY_MS)],
      );
      // Grants past their end: one with nothing left (goes), one whose access token is still
      // valid (stays until that token expires).
      const ended = await grant(-1000);
      const endedWithLiveToken = await grant(-1000);
      await t.dataSource.query(
        `INSERT INTO access_tokens (jti, client_id, scope, resource, grant_id, expires_at)
         VALUES ('p-outlives-grant', 'demo_client', '{read}', $1, $2, $3)`,
        [resource, endedWithLiveToken, at(10 * 60_000)],
      );
      // Codes: consumed and expired 2 h ago (goes), consumed and expired 10 min ago (kept for
      // replay detection), unconsumed and expired 10 min ago (goes), valid (stays).
      const [{ id: userId }] = await t.dataSource.query(`SELECT id FROM users LIMIT 1`);
      for (const [name, expires, consumed] of [
        ['p-code-old', -2 * HOUR_MS, true],
        ['p-code-replay', -10 * 60_000, true],
        ['p-code-unused', -10 * 60_000, false],
        ['p-code-valid', 5 * 60_000, false],
      ] as const) {
        await t.dataSource.query(
          `INSERT INTO authorization_codes (code_hash, client_id, user_id, redirect_uri, resource,
             code_challenge, code_challenge_method, grant_id, expires_at, consumed_at)
           VALUES ($1, 'demo_client', $2, 'http://localhost:3000/callback', $3, 'c', 'S256', $4, $5, $6)`,
          [name, userId, resource, live, at(expires), consumed ? at(expires - 60_000) : null],
        );
      }
      // Audit events: 1 200 past the 90-day retention, 5 within it.
      await t.dataSource.query(
        `INSERT INTO audit_events (at, type, outcome, details)
         SELECT CASE WHEN g <= 1200 THEN $1::timestamptz ELSE $2::timestamptz END, 'token.issued', 'success', '{"purge":true}'
           FROM generate_series(1, 1205) g`,
        [at(-91 * DAY_MS), at(-89 * DAY_MS)],
      );

      const repo = t.app.get(PurgeTargets);
      const batches: Array<{ target: string; deleted: number | null }> = [];
      const original = repo.deleteBatch.bind(repo);
      let firstBatchDone!: () => void;
      const firstBatch = new Promise<void>((resolve) => (firstBatchDone = resolve));
      const spy = jest.spyOn(repo, 'deleteBatch').mockImplementation(async (...args) => {
        const deleted = await original(...args);
        batches.push({ target: args[0], deleted });
        firstBatchDone();
        return deleted;
      });
      const job = t.app.get(PurgeExpiredJob);
      job.loop = { ...job.loop, pauseMs: 20 };
      try {
        let purgeDone = false;
        const purging = job.run().then((report) => {
          purgeDone = true;
          return report;
        });
        await firstBatch;
        const token = await clientCredentials();
        expect(token.status).toBe(200);
        // The request was served between two batches, not after the whole purge.
        expect(purgeDone).toBe(false);
        const report = await purging;

        expect(report.access_tokens).toBeGreaterThanOrEqual(5000);
        expect(report.refresh_tokens).toBeGreaterThanOrEqual(1500);
        const accessBatches = batches.filter((b) => b.target === 'access_tokens');
        expect(accessBatches.length).toBeGreaterThanOrEqual(6);
        expect(accessBatches.every((b) => b.deleted !== null && b.deleted <= 1000)).toBe(true);
      } finally {
        spy.mockRestore();
      }

      expect(await count(`access_tokens WHERE jti LIKE 'p-expired-%'`)).toBe(0);
      expect(await count(`access_tokens WHERE jti LIKE 'p-valid-%'`)).toBe(100);
      expect(await count(`access_tokens WHERE jti = 'p-outlives-grant'`)).toBe(1);
      expect(await count(`refresh_tokens WHERE token_hash LIKE 'p-rt-%'`)).toBe(10);
      expect(await count(`grants WHERE id = $1`, [ended])).toBe(0);
      expect(await count(`grants WHERE id = ANY($1)`, [[live, endedWithLiveToken]])).toBe(2);
      const codes = await t.dataSource.query(
        `SELECT code_hash FROM authorization_codes WHERE code_hash LIKE 'p-code-%' ORDER BY code_hash`,
      );
      expect(codes.map((c: { code_hash: string }) => c.code_hash)).toEqual([
        'p-code-replay',
        'p-code-valid',
      ]);
      expect(await count(`audit_events WHERE details->>'purge' = 'true'`)).toBe(5);
      expect(await count(`audit_events WHERE at < $1`, [at(-90 * DAY_MS)])).toBe(0);

      // The token issued during the purge still works.
      const again = await clientCredentials();
      expect(again.status).toBe(200);
    });

    it('should delete nothing when another instance holds the lock', async () => {
      await t.dataSource.query(
        `INSERT INTO access_tokens (jti, client_id, scope, resource, expires_at)
         VALUES ('p-locked', 'demo_client', '{read}', $1, $2)`,
        [t.config.mcp.resource, at(-1000)],
      );
      // Another "instance" holds the access_tokens purge lock in an open transaction. Only on
      // PostgreSQL can a second session then try it: on PGlite that transaction holds the one
      // connection, and there is no other instance to exclude.
      const repo = t.app.get(PurgeTargets);
      const runner = t.dataSource.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        await runner.query(
          `SELECT pg_advisory_xact_lock(727002, hashtext('maintenance:access_tokens'))`,
        );
        if (t.config.db.kind === 'postgres') {
          expect(await repo.deleteBatch('access_tokens', clock.now(), 1000)).toBeNull();
          // Other targets are not blocked by it.
          expect(await repo.deleteBatch('refresh_tokens', clock.now(), 1000)).toBe(0);
        }
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
      expect(await count(`access_tokens WHERE jti = 'p-locked'`)).toBe(1);
      // The lock ended with its transaction: the next run purges. It reports exactly the rows that
      // went (other tests' expired rows in this shared app may go with it: any order, --randomize).
      const before = await count('access_tokens');
      const purged = (await t.app.get(PurgeExpiredJob).run()).access_tokens;
      expect(purged).toBe(before - (await count('access_tokens')));
      expect(await count(`access_tokens WHERE jti = 'p-locked'`)).toBe(0);
    });
  });

  describe('DCR client expiry', () => {
    it('should delete dynamically registered clients unused for the TTL, with their tokens', async () => {
      const ttlMs = t.config.maintenance.dcrClientTtlDays * DAY_MS;
      const old = at(-ttlMs - DAY_MS);
      const neverUsed = await insertClient(t.dataSource, { source: 'dcr' });
      const usedLongAgo = await insertClient(t.dataSource, { source: 'dcr' });
      const usedRecently = await insertClient(t.dataSource, { source: 'dcr' });
      const fresh = await insertClient(t.dataSource, { source: 'dcr' });
      const adminOld = await insertClient(t.dataSource, { source: 'admin' });
      const set = (id: string, created: string, lastUsed: string | null) =>
        t.dataSource.query(
          `UPDATE oauth_clients SET created_at = $2, last_used_at = $3 WHERE client_id = $1`,
          [id, created, lastUsed],
        );
      await set(neverUsed.clientId, old, null);
      await set(usedLongAgo.clientId, old, old);
      await set(usedRecently.clientId, old, at(-DAY_MS));
      await set(adminOld.clientId, old, null);
      const [{ id: grantId }] = await t.dataSource.query(
        `INSERT INTO grants (client_id, resource, expires_at) VALUES ($1, $2, $3) RETURNING id`,
        [neverUsed.clientId, t.config.mcp.resource, at(DAY_MS)],
      );
      await t.dataSource.query(
        `INSERT INTO refresh_tokens (token_hash, client_id, scope, resource, grant_id, expires_at)
         VALUES ('dcr-rt', $1, '{read}', $2, $3, $4)`,
        [neverUsed.clientId, t.config.mcp.resource, grantId, at(DAY_MS)],
      );

      expect(await t.app.get(DcrClientExpiryJob).run()).toBe(2);

      const left = await t.dataSource.query(
        `SELECT client_id FROM oauth_clients WHERE client_id = ANY($1)`,
        [[neverUsed, usedLongAgo, usedRecently, fresh, adminOld].map((c) => c.clientId)],
      );
      expect(left.map((r: { client_id: string }) => r.client_id).sort()).toEqual(
        [usedRecently.clientId, fresh.clientId, adminOld.clientId].sort(),
      );
      expect(await count(`grants WHERE id = $1`, [grantId])).toBe(0);
      expect(await count(`refresh_tokens WHERE token_hash = 'dcr-rt'`)).toBe(0);
      expect(await t.app.get(DcrClientExpiryJob).run()).toBe(0);

      await t.app.get(AuditService).flush();
      const events = await t.dataSource.query(
        `SELECT client_id, details FROM audit_events WHERE type = 'client.deleted' AND client_id = ANY($1)`,
        [[neverUsed.clientId, usedLongAgo.clientId]],
      );
      expect(events).toHaveLength(2);
      expect(events[0].details).toEqual({ reason: 'unused_dcr_client' });
    });
  });

  // Last in this file: it moves the clock forward by more than a day.
  describe('signing key rotation', () => {
    const jwksKids = async (): Promise<string[]> =>
      (await request(t.http).get('/.well-known/jwks.json').expect(200)).body.keys.map(
        (k: { kid: string }) => k.kid,
      );
    const issue = async (): Promise<{ token: string; kid: string }> => {
      const res = await clientCredentials().expect(200);
      return {
        token: res.body.access_token,
        kid: decodeProtectedHeader(res.body.access_token).kid!,
      };
    };
    const verifies = (token: string) =>
      t.app
        .get(TokenVerifier)
        .verify(token, t.config.mcp.resource)
        .then(
          () => true,
          (err: unknown) => {
            if (err instanceof TokenRejectedError) return err.reason;
            throw err;
          },
        );

    it('should publish the next key before it signs, then sign with it and keep the old one until expiry', async () => {
      const job = t.app.get(KeyRotationJob);
      const keys = t.app.get(SigningKeysService);
      const { activeSince, nextCreatedAt } = await keys.rotationState();
      const interval = t.config.maintenance.keyRotationIntervalHours * HOUR_MS;
      const { kid: old } = await issue();
      expect(await job.run()).toEqual({ action: 'none' });

      // The next key has been published since start-up, long before it signs.
      expect(nextCreatedAt).not.toBeNull();
      const [{ kid: next }] = await t.dataSource.query(
        `SELECT kid FROM signing_keys WHERE state = 'next'`,
      );
      expect((await jwksKids()).sort()).toEqual([old, next].sort());
      expect((await issue()).kid).toBe(old);

      // Not yet: the active key has not signed for the whole interval.
      clock.advance((activeSince!.getTime() + interval - clock.now().getTime()) / 1000 - 60);
      expect(await job.run()).toEqual({ action: 'none' });
      const beforePromotion = await issue();
      expect(beforePromotion.kid).toBe(old);

      clock.advance(60);
      expect(await job.run()).toEqual({ action: 'promoted', kid: next });
      const after = await issue();
      expect(after.kid).toBe(next);
      expect((await jwksKids()).sort()).toEqual([old, next].sort());
      expect(await verifies(after.token)).toBe(true);
      expect(await verifies(beforePromotion.token)).toBe(true);

      // Once every token the old key signed has expired, it leaves the JWKS and the table.
      clock.advance(t.config.ttl.accessToken + 61);
      expect(await job.run()).toEqual({ action: 'none' });
      expect(await jwksKids()).toEqual([next]);
      expect(await count(`signing_keys WHERE kid = $1`, [old])).toBe(0);
      expect(await verifies(beforePromotion.token)).not.toBe(true);
    });
  });
});
