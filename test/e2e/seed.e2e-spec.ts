import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcrypt';
import { createTestApp } from './create-test-app';
import { createTestDatabase, TestDatabase, usingPostgres } from './test-database';

describe('Demo seed across restarts (e2e)', () => {
  let database: TestDatabase;
  const dataDir = mkdtempSync(join(tmpdir(), 'mcp-oauth-seed-'));
  // PGlite persisted under DATA_DIR (the `npm start` default), or a fresh PostgreSQL database.
  const env = { DATA_DIR: dataDir, ...(usingPostgres() ? {} : { DATABASE_URL: '' }) };

  beforeAll(async () => {
    database = usingPostgres() ? await createTestDatabase() : { url: '', drop: async () => undefined };
  });
  afterAll(() => database.drop());

  it('should seed the demo client and user once, keep them across a restart, and not overwrite changes', async () => {
    const first = await createTestApp({ env, database });
    const clients = await first.dataSource.query(`SELECT * FROM oauth_clients WHERE client_id = 'demo_client'`);
    expect(clients).toHaveLength(1);
    expect(clients[0]).toMatchObject({
      client_name: 'Demo Client',
      redirect_uris: ['http://localhost:3000/callback'],
      scope: ['read', 'write'],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    // A human-chosen secret is stored with bcrypt, never in the clear.
    expect(clients[0].client_secret_hash).toMatch(/^bcrypt:\$2b\$/);
    expect(await bcrypt.compare('demo_secret', clients[0].client_secret_hash.slice('bcrypt:'.length))).toBe(true);
    const users = await first.dataSource.query(`SELECT * FROM users WHERE username = 'demo_user'`);
    expect(users).toHaveLength(1);
    expect(users[0].scopes).toEqual(['read', 'write']);
    expect(await bcrypt.compare('demo_password', users[0].password_hash)).toBe(true);
    await first.dataSource.query(`UPDATE oauth_clients SET client_name = 'Renamed' WHERE client_id = 'demo_client'`);
    await first.close({ keepDatabase: true });

    const second = await createTestApp({ env, database });
    const after = await second.dataSource.query(`SELECT client_name FROM oauth_clients`);
    expect(after).toEqual([{ client_name: 'Renamed' }]);
    const [{ n }] = await second.dataSource.query(`SELECT count(*)::int AS n FROM users`);
    expect(n).toBe(1);
    await second.close({ keepDatabase: true });
  });

  it('should seed nothing when SEED_DEMO is false', async () => {
    const fresh = await createTestApp({ env: { SEED_DEMO: 'false' } });
    const [{ n }] = await fresh.dataSource.query(`SELECT count(*)::int AS n FROM oauth_clients`);
    expect(n).toBe(0);
    await fresh.close();
  });
});
