import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createTestApp, TestApp } from './create-test-app';

const TABLES = [
  'access_tokens',
  'audit_events',
  'authorization_codes',
  'browser_sessions',
  'consents',
  'grants',
  'notes',
  'oauth_clients',
  'refresh_tokens',
  'signing_keys',
  'users',
];

async function tables(ds: DataSource): Promise<string[]> {
  const rows: { table_name: string }[] = await ds.query(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'migrations'
      ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

/** Columns, types, nullability, defaults, indexes and constraints: the schema as one comparable value. */
async function schema(ds: DataSource): Promise<Record<string, unknown>> {
  const columns = await ds.query(
    `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, character_maximum_length
       FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> 'migrations'
      ORDER BY table_name, column_name`,
  );
  const indexes = await ds.query(
    `SELECT tablename, indexname, indexdef FROM pg_indexes
      WHERE schemaname = current_schema() AND tablename <> 'migrations' ORDER BY tablename, indexname`,
  );
  const constraints = await ds.query(
    `SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS def
       FROM pg_constraint WHERE connamespace = current_schema()::regnamespace AND contype <> 'n'
        AND conrelid::regclass::text <> 'migrations' ORDER BY 1, 2`,
  );
  return {
    columns,
    indexes: indexes.map((i: { indexdef: string }) => ({
      ...i,
      indexdef: i.indexdef.replace(/ON \w+\./, 'ON '),
    })),
    constraints,
  };
}

describe('Migrations (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { SEED_DEMO: 'false' } });
  });
  afterAll(() => t.close());

  it('should create every table of the design at start-up', async () => {
    expect(await tables(t.dataSource)).toEqual(TABLES);
  });

  it('should produce exactly the committed schema snapshot, on PGlite and on PostgreSQL alike', async () => {
    const file = join(__dirname, 'schema.snapshot.json');
    const actual = await schema(t.dataSource);
    // UPDATE_SCHEMA_SNAPSHOT=1 rewrites the snapshot after a reviewed migration change.
    if (process.env.UPDATE_SCHEMA_SNAPSHOT === '1') writeFileSync(file, JSON.stringify(actual, null, 1) + '\n');
    expect(actual).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });

  it('should revert every migration and apply them again', async () => {
    const before = await schema(t.dataSource);
    for (;;) {
      const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM migrations');
      if (n === 0) break;
      await t.dataSource.undoLastMigration({ transaction: 'each' });
    }
    expect(await tables(t.dataSource)).toEqual([]);
    await t.dataSource.runMigrations({ transaction: 'each' });
    expect(await schema(t.dataSource)).toEqual(before);
  });
});
