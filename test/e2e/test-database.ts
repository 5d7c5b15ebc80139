import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Where an e2e app keeps its data: in-memory PGlite by default; with DATABASE_URL set to a
 * PostgreSQL server, a fresh database per app (dropped afterwards) so runs never collide.
 */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

const serverUrl = (): string | undefined => {
  const url = process.env.DATABASE_URL;
  return url && /^postgres(ql)?:\/\//.test(url) ? url : undefined;
};

export const usingPostgres = (): boolean => serverUrl() !== undefined;

export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = serverUrl();
  if (!admin) return { url: 'memory://', drop: async () => undefined };
  const name = `e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withClient(admin, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
