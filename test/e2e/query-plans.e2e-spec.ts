import request from 'supertest';
import { authorizeAsUser, demoBasic, exchangeCode } from '../support/browser';
import { createTestApp, TestApp } from './create-test-app';

/*
 * The hot statements' plans follow the tables as they grow (docs/performance.md, "Plans that track
 * the table"). A statement planned while refresh_tokens held a few dozen rows and then cached would
 * read the whole table on every later refresh; here the tables grow by 30,000 rows under a warm
 * server, with no ANALYZE, and the refreshes and introspections after that may not scan them.
 */
describe('Hot statements after the tables grow (e2e)', () => {
  let t: TestApp;
  const form = (path: string, body: Record<string, string>) =>
    request(t.http).post(path).set('Authorization', demoBasic()).type('form').send(body);

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  type Scans = Record<'refresh_tokens' | 'access_tokens', { seq: number; idx: number }>;
  const scans = async (): Promise<Scans> => {
    const rows: { relname: keyof Scans; seq: string; idx: string }[] = await t.dataSource.query(
      `SELECT relname, seq_scan AS seq, coalesce(idx_scan, 0) AS idx FROM pg_stat_user_tables
        WHERE relname IN ('refresh_tokens', 'access_tokens')`,
    );
    return Object.fromEntries(rows.map((r) => [r.relname, { seq: Number(r.seq), idx: Number(r.idx) }])) as Scans;
  };
  // A server process publishes its table statistics when it goes idle, but at most once a second; a
  // backend that published less than a second ago waits up to 10 s. So the counts are read once
  // they have not moved for longer than that.
  const settled = async (): Promise<Scans> => {
    let last = await scans();
    let since = Date.now();
    for (const deadline = Date.now() + 45_000; Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 500));
      const now = await scans();
      if (JSON.stringify(now) !== JSON.stringify(last)) [last, since] = [now, Date.now()];
      else if (Date.now() - since > 10_500) return now;
    }
    throw new Error('table statistics did not settle');
  };

  it('should find refresh tokens and revocation states by index once the tables are large', async () => {
    const { code, verifier } = await authorizeAsUser(t.http);
    let tokens = (await exchangeCode(t.http, code, verifier).expect(200)).body;
    // Warm: more executions than PostgreSQL needs before it caches a generic plan (five).
    for (let i = 0; i < 8; i++) {
      tokens = (await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }).expect(200)).body;
      expect((await form('/oauth/introspect', { token: tokens.access_token }).expect(200)).body.active).toBe(true);
    }

    await t.dataSource.query(
      `INSERT INTO refresh_tokens (token_hash, client_id, user_id, scope, resource, grant_id, expires_at)
       SELECT md5(n::text) || md5((n + 1)::text), r.client_id, r.user_id, r.scope, r.resource, r.grant_id, r.expires_at
         FROM generate_series(1, 30000) n, (SELECT * FROM refresh_tokens LIMIT 1) r`,
    );
    await t.dataSource.query(
      `INSERT INTO access_tokens (jti, client_id, user_id, scope, resource, grant_id, expires_at)
       SELECT 'grown-' || n, a.client_id, a.user_id, a.scope, a.resource, a.grant_id, a.expires_at
         FROM generate_series(1, 30000) n, (SELECT * FROM access_tokens LIMIT 1) a`,
    );
    const before = await settled();

    const rounds = 6;
    for (let i = 0; i < rounds; i++) {
      tokens = (await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }).expect(200)).body;
      expect((await form('/oauth/introspect', { token: tokens.access_token }).expect(200)).body.active).toBe(true);
    }
    const after = await settled();

    expect(after.refresh_tokens.seq - before.refresh_tokens.seq).toBe(0);
    expect(after.access_tokens.seq - before.access_tokens.seq).toBe(0);
    // Each refresh finds its token and rotates it; each introspection reads the new token's state.
    expect(after.refresh_tokens.idx - before.refresh_tokens.idx).toBeGreaterThanOrEqual(rounds);
    expect(after.access_tokens.idx - before.access_tokens.idx).toBeGreaterThanOrEqual(rounds);
  }, 120_000);
});
