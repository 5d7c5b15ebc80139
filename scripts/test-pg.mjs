#!/usr/bin/env node
/**
 * `npm run test:pg`: the e2e suite against a PostgreSQL server (a fresh database per test app,
 * dropped afterwards) with Redis (shared rate-limit counters, revocation pub/sub). This is where
 * the race and cross-instance specs mean something: PGlite is one serialised connection.
 *
 * DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/postgres (a role that may CREATE
 * DATABASE), REDIS_URL to redis://127.0.0.1:6379. Extra arguments go to jest (e.g. a file name).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
};
if (!/^postgres(ql)?:\/\//.test(env.DATABASE_URL)) {
  process.stderr.write(`test:pg needs a postgres:// DATABASE_URL, not ${env.DATABASE_URL.split(':')[0]}:\n`);
  process.exit(2);
}
const jest = [
  '--experimental-vm-modules',
  '--no-warnings=ExperimentalWarning',
  join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
  '--config',
  join(root, 'test', 'e2e', 'jest-e2e.config.js'),
  ...process.argv.slice(2),
];
const result = spawnSync(process.execPath, jest, { cwd: root, env, stdio: 'inherit' });
process.exit(result.status ?? 1);
