import request from 'supertest';
import { createTestApp, TestApp } from './create-test-app';
import { createTestDatabase, TestDatabase, usingPostgres } from './test-database';

/**
 * Clients are cached in every instance (docs/performance.md): a change made through the admin API
 * on one instance must be what the next request to any instance sees. On PostgreSQL two instances
 * run on one database and the change travels by the revocation broadcast; on PGlite (one process)
 * the same instance must see its own change at once. Black box: HTTP only.
 */

const ADMIN_ID = 'e2e-cache-admin';
const ADMIN_SECRET = 'e2e-cache-admin-secret-0123456789';
/** Issue 15: a change on one instance is seen by the next request on another within 1 s. */
const PROPAGATION_BUDGET_MS = 1000;

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

const ccToken = (t: TestApp, id: string, secret: string, scope = 'read') =>
  request(t.http)
    .post('/oauth/token')
    .set('Authorization', basic(id, secret))
    .type('form')
    .send({ grant_type: 'client_credentials', scope });

async function adminToken(t: TestApp): Promise<string> {
  return (await ccToken(t, ADMIN_ID, ADMIN_SECRET, 'admin').expect(200)).body.access_token;
}

/** Polls `probe` (one request each time) until it returns true; the ms that took, or Infinity. */
async function msUntil(probe: () => Promise<boolean>, budgetMs: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < budgetMs * 5) {
    if (await probe()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 20));
  }
  return Number.POSITIVE_INFINITY;
}

function suite(label: string, instances: 1 | 2) {
  describe(label, () => {
    let database: TestDatabase | undefined;
    let a: TestApp;
    let b: TestApp;
    let admin: string;
    let client: { client_id: string; client_secret: string };

    beforeAll(async () => {
      const env = { ADMIN_CLIENT_ID: ADMIN_ID, ADMIN_CLIENT_SECRET: ADMIN_SECRET };
      if (instances === 2) {
        database = await createTestDatabase();
        a = await createTestApp({ database, env });
        b = await createTestApp({ database, env });
      } else {
        a = await createTestApp({ env });
        b = a;
      }
      admin = await adminToken(a);
    }, 120_000);

    // A client of its own per test (any order, --randomize), read and cached by both instances first,
    // so each test proves that a change on A drops what B has cached.
    beforeEach(async () => {
      client = (
        await request(a.http)
          .post('/admin/clients')
          .set('Authorization', `Bearer ${admin}`)
          .send({
            client_name: 'Cached client',
            redirect_uris: [],
            grant_types: ['client_credentials'],
            scope: ['read', 'write'],
          })
          .expect(201)
      ).body;
      await ccToken(a, client.client_id, client.client_secret).expect(200);
      await ccToken(b, client.client_id, client.client_secret).expect(200);
    });
    afterAll(async () => {
      if (instances === 2) {
        await b?.close({ keepDatabase: true });
        await a?.close({ keepDatabase: true });
        await database?.drop();
      } else {
        await a?.close();
      }
    });

    const patch = (body: object) =>
      request(a.http)
        .patch(`/admin/clients/${encodeURIComponent(client.client_id)}`)
        .set('Authorization', `Bearer ${admin}`)
        .send(body)
        .expect(200);

    it('should serve the client from both instances before any change', async () => {
      await ccToken(a, client.client_id, client.client_secret, 'write').expect(200);
      // B has read (and cached) the client too.
      await ccToken(b, client.client_id, client.client_secret, 'write').expect(200);
    });

    it('should see a scope change made on A in the next request to B', async () => {
      await patch({ scope: ['read'] });
      const ms = await msUntil(
        async () => (await ccToken(b, client.client_id, client.client_secret, 'write')).status === 400,
        PROPAGATION_BUDGET_MS,
      );
      expect(ms).toBeLessThan(PROPAGATION_BUDGET_MS);
      const refused = await ccToken(b, client.client_id, client.client_secret, 'write').expect(400);
      expect(refused.body.error).toBe('invalid_scope');
      await ccToken(b, client.client_id, client.client_secret, 'read').expect(200);
    });

    it('should refuse on B a client disabled on A', async () => {
      await patch({ disabled: true });
      const ms = await msUntil(
        async () => (await ccToken(b, client.client_id, client.client_secret)).status === 401,
        PROPAGATION_BUDGET_MS,
      );
      expect(ms).toBeLessThan(PROPAGATION_BUDGET_MS);
      expect((await ccToken(b, client.client_id, client.client_secret).expect(401)).body.error).toBe(
        'invalid_client',
      );
      await patch({ disabled: false });
      await msUntil(
        async () => (await ccToken(b, client.client_id, client.client_secret)).status === 200,
        PROPAGATION_BUDGET_MS,
      );
      await ccToken(b, client.client_id, client.client_secret).expect(200);
    });

    it('should refuse on B the old secret once A rotated it, and take the new one', async () => {
      const rotated = (
        await request(a.http)
          .post(`/admin/clients/${encodeURIComponent(client.client_id)}/secret`)
          .set('Authorization', `Bearer ${admin}`)
          .send({})
      ).body;
      expect(typeof rotated.client_secret).toBe('string');
      const ms = await msUntil(
        async () => (await ccToken(b, client.client_id, client.client_secret)).status === 401,
        PROPAGATION_BUDGET_MS,
      );
      expect(ms).toBeLessThan(PROPAGATION_BUDGET_MS);
      await ccToken(b, client.client_id, rotated.client_secret).expect(200);
      client = { ...client, client_secret: rotated.client_secret };
    });

    it('should refuse on B a client deleted on A', async () => {
      await request(a.http)
        .delete(`/admin/clients/${encodeURIComponent(client.client_id)}`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(204);
      const ms = await msUntil(
        async () => (await ccToken(b, client.client_id, client.client_secret)).status === 401,
        PROPAGATION_BUDGET_MS,
      );
      expect(ms).toBeLessThan(PROPAGATION_BUDGET_MS);
    });
  });
}

if (usingPostgres()) {
  suite('Client changes between two live instances on one PostgreSQL database (e2e)', 2);
} else {
  suite('Client changes on the one PGlite instance (e2e)', 1);
}
