import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { SigningKeysService } from 'src/tokens/keys/signing-keys.service';
import { RevocationChecker } from 'src/tokens/keys/revocation-checker';
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

    it('should create exactly one active key, with the private key encrypted', async () => {
      // An app of its own: the table must hold nothing but what these two calls made (the
      // rotation test below adds keys to the shared one, in whatever order the tests run).
      const own = await createTestApp();
      try {
        await createsOneKey(own);
      } finally {
        await own.close();
      }
    });

    async function createsOneKey(t: TestApp): Promise<void> {
      const keys = t.app.get(SigningKeysService);
      const [a, b] = await Promise.all([keys.signingKey(), keys.signingKey()]);
      expect(b.kid).toBe(a.kid);
      const rows = await t.dataSource.query(`SELECT * FROM signing_keys`);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ kid: a.kid, alg: 'ES256', state: 'active' });
      expect(rows[0].private_jwk_encrypted).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(JSON.stringify(rows[0])).not.toMatch(/"d"/);
      expect((await keys.jwks()).keys).toEqual([
        expect.objectContaining({ kid: a.kid, alg: 'ES256', use: 'sig' }),
      ]);
    }

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

      const created = await keys.rotate(now);
      expect(created.action).toBe('created-next');
      const next = (created as { kid: string }).kid;
      expect((await keys.jwks()).keys.map((k) => k.kid).sort()).toEqual([old, next].sort());
      expect((await keys.signingKey()).kid).toBe(old);
      expect(await keys.rotate(now)).toEqual({ action: 'none' });

      const promotedAt = new Date(now.getTime() + 3600_000);
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
        expect(n).toBe(1);

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
      'should create one active key when two instances start at once',
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
          const [{ n }] = await a.dataSource.query(`SELECT count(*)::int AS n FROM signing_keys`);
          expect(n).toBe(1);
        } finally {
          await a.close({ keepDatabase: true });
          await b.close();
        }
      },
      120_000,
    );
  });
});
