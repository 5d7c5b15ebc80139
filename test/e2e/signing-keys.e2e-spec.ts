import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { SigningKeysService } from 'src/tokens/keys/signing-keys.service';
import { RevocationChecker } from 'src/token-store/revocation-checker';
import {
  AccessTokenSigner,
  TokenRejectedError,
  TokenVerifier,
} from 'src/tokens/keys/token-verifier';
import { createTestApp, TestApp } from './create-test-app';
import { createTestDatabase, TestDatabase, usingPostgres } from './test-database';

const CLIENT_ID = 'demo_client';

/** Records an access token row (every issued token has one) and returns a signed token for it. */
async function issue(
  t: TestApp,
  options: { grantId?: string } = {},
): Promise<{ jti: string; token: string }> {
  const jti = randomUUID();
  const { token, expiresAt } = await t.app.get(AccessTokenSigner).sign({
    jti,
    sub: 'user-e2e',
    clientId: CLIENT_ID,
    scope: ['read'],
    audience: t.config.mcp.resource,
    ttlSeconds: 600,
  });
  await t.dataSource.query(
    `INSERT INTO access_tokens (jti, client_id, scope, resource, grant_id, expires_at) VALUES ($1, $2, '{read}', $3, $4, $5)`,
    [jti, CLIENT_ID, t.config.mcp.resource, options.grantId ?? null, expiresAt.toISOString()],
  );
  return { jti, token };
}

async function rejection(t: TestApp, token: string): Promise<string | undefined> {
  const err = await t.app
    .get(TokenVerifier)
    .verify(token, t.config.mcp.resource)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  return err instanceof TokenRejectedError ? err.reason : (err as Error | undefined)?.message;
}

describe('Signing keys (e2e)', () => {
  describe('on one instance', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('should create the active key and the next one before serving, private keys encrypted', async () => {
      const keys = t.app.get(SigningKeysService);
      // Before any token is signed: both keys exist and are published.
      const rows = await t.dataSource.query(`SELECT * FROM signing_keys ORDER BY created_at`);
      expect(rows.map((r: { state: string }) => r.state)).toEqual(['active', 'next']);
      for (const row of rows) {
        expect(row).toMatchObject({ alg: 'ES256' });
        expect(row.private_jwk_encrypted).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
        expect(JSON.stringify(row)).not.toMatch(/"d"/);
      }
      const [a, b] = await Promise.all([keys.signingKey(), keys.signingKey()]);
      expect(b.kid).toBe(a.kid);
      expect(a.kid).toBe(rows[0].kid);
      expect((await keys.jwks()).keys.map((k) => k.kid).sort()).toEqual(
        rows.map((r: { kid: string }) => r.kid).sort(),
      );
      await keys.ensureKeys();
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM signing_keys`);
      expect(n).toBe(2);
    });

    it('should verify a recorded token and refuse unrecorded, revoked and grant-revoked ones', async () => {
      const { token } = await issue(t);
      await expect(
        t.app.get(TokenVerifier).verify(token, t.config.mcp.resource),
      ).resolves.toMatchObject({
        clientId: CLIENT_ID,
        scope: ['read'],
      });

      const { token: unrecorded } = await t.app.get(AccessTokenSigner).sign({
        jti: randomUUID(),
        sub: 'user-e2e',
        clientId: CLIENT_ID,
        scope: [],
        audience: t.config.mcp.resource,
        ttlSeconds: 600,
      });
      expect(await rejection(t, unrecorded)).toBe('revoked');

      const revoked = await issue(t);
      await t.dataSource.query(`UPDATE access_tokens SET revoked = true WHERE jti = $1`, [
        revoked.jti,
      ]);
      expect(await rejection(t, revoked.token)).toBe('revoked');

      const [{ id: grantId }] = await t.dataSource.query(
        `INSERT INTO grants (client_id, resource, expires_at) VALUES ($1, $2, now() + interval '1 day') RETURNING id`,
        [CLIENT_ID, t.config.mcp.resource],
      );
      const family = await issue(t, { grantId });
      expect(await rejection(t, family.token)).toBeUndefined();
      await t.dataSource.query(`UPDATE grants SET revoked_at = now() WHERE id = $1`, [grantId]);
      t.app.get(RevocationChecker).invalidate(family.jti);
      expect(await rejection(t, family.token)).toBe('revoked');
    });

    it('should rotate through the database: publish next, promote it, keep the retired key until expiry', async () => {
      const keys = t.app.get(SigningKeysService);
      const { kid: old } = await keys.signingKey();
      const before = await issue(t);
      const now = new Date();

      // The next key was published at start-up (ensureKeys).
      const [{ kid: next, created_at: nextCreatedAt }] = await t.dataSource.query(
        `SELECT kid, created_at FROM signing_keys WHERE state = 'next'`,
      );
      expect((await keys.jwks()).keys.map((k) => k.kid).sort()).toEqual([old, next].sort());
      expect((await keys.signingKey()).kid).toBe(old);
      expect(await keys.rotate(new Date(nextCreatedAt))).toEqual({ action: 'none' });

      const promotedAt = new Date(
        Math.max(now.getTime(), new Date(nextCreatedAt).getTime() + 3600_000),
      );
      expect(await keys.rotate(promotedAt)).toEqual({ action: 'promoted', kid: next });
      const rows = await t.dataSource.query(
        `SELECT kid, state, expires_at FROM signing_keys ORDER BY created_at`,
      );
      expect(rows.map((r: { kid: string; state: string }) => [r.kid, r.state])).toEqual([
        [old, 'retired'],
        [next, 'active'],
      ]);
      const ttl = t.config.ttl.accessToken;
      expect(new Date(rows[0].expires_at).getTime()).toBe(promotedAt.getTime() + (ttl + 60) * 1000);

      const after = await issue(t);
      expect(decodeProtectedHeader(after.token).kid).toBe(next);
      expect(await rejection(t, after.token)).toBeUndefined();
      expect(await rejection(t, before.token)).toBeUndefined();
      expect((await keys.jwks()).keys.map((k) => k.kid)).toContain(old);

      await keys.rotate(new Date(promotedAt.getTime() + (ttl + 61) * 1000));
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM signing_keys WHERE kid = $1`,
        [old],
      );
      expect(n).toBe(0);
    });
  });

  describe('on two instances sharing one database', () => {
    let database: TestDatabase;
    // PGlite persisted under DATA_DIR (one process at a time), or a fresh PostgreSQL database.
    const env = {
      DATA_DIR: mkdtempSync(join(tmpdir(), 'mcp-oauth-keys-')),
      ...(usingPostgres() ? {} : { DATABASE_URL: '' }),
    };

    beforeAll(async () => {
      database = usingPostgres()
        ? await createTestDatabase()
        : { url: '', drop: async () => undefined };
    });
    afterAll(() => database.drop());

    it('should sign and verify with the same key on every instance', async () => {
      const first = await createTestApp({ env, database });
      const { kid } = await first.app.get(SigningKeysService).signingKey();
      const fromFirst = await issue(first);
      await first.close({ keepDatabase: true });

      const second = await createTestApp({ env, database });
      try {
        expect((await second.app.get(SigningKeysService).signingKey()).kid).toBe(kid);
        expect(await rejection(second, fromFirst.token)).toBeUndefined();
        const fromSecond = await issue(second);
        expect(decodeProtectedHeader(fromSecond.token).kid).toBe(kid);
        const [{ n }] = await second.dataSource.query(
          `SELECT count(*)::int AS n FROM signing_keys`,
        );
        expect(n).toBe(2); // the active key and the next one, created once for both instances

        if (usingPostgres()) {
          // Two live instances: each accepts the other's tokens.
          const third = await createTestApp({ env, database });
          try {
            expect(await rejection(third, fromSecond.token)).toBeUndefined();
            expect(await rejection(second, (await issue(third)).token)).toBeUndefined();
          } finally {
            await third.close({ keepDatabase: true });
          }
        }
      } finally {
        await second.close({ keepDatabase: true });
      }
    }, 120_000);

    // PGlite is one in-process connection; only PostgreSQL can run two live instances at once.
    (usingPostgres() ? it : it.skip)(
      'should create one active key and one next key when two instances start at once',
      async () => {
        const fresh = await createTestDatabase();
        const [a, b] = await Promise.all([
          createTestApp({ database: fresh }),
          createTestApp({ database: fresh }),
        ]);
        try {
          const kids = await Promise.all(
            [a, b, a, b].map((t) =>
              t.app
                .get(SigningKeysService)
                .signingKey()
                .then((k) => k.kid),
            ),
          );
          expect(new Set(kids).size).toBe(1);
          // One active key and one next key, however the two start-ups interleaved.
          const rows: Array<{ state: string }> = await a.dataSource.query(
            `SELECT state FROM signing_keys ORDER BY state`,
          );
          expect(rows.map((r) => r.state)).toEqual(['active', 'next']);
        } finally {
          await a.close({ keepDatabase: true });
          await b.close();
        }
      },
      120_000,
    );
  });
});
