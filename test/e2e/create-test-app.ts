import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from 'src/app.module';
import { JsonReplyAdapter } from 'src/common/json-reply.adapter';
import { JsonLogger, LogSink } from 'src/common/json-logger';
import { AppConfig } from 'src/config/app-config';
import { RATE_LIMIT_ENV_NAMES } from 'src/config/security-config';
import { validateEnv } from 'src/config/validate-env';
import { setupApp } from 'src/setup-app';
import { DataSource } from 'typeorm';
import { reservePort, ReservedPort } from '../support/free-port';
import { createTestDatabase, TestDatabase } from './test-database';

export const TEST_APP_SECRET = 'test-secret-that-is-long-enough-0123456789';

/** Limits no ordinary spec reaches (the guard still runs); the rate-limit spec sets its own. */
export const GENEROUS_RATE_LIMITS: Record<string, string> = Object.fromEntries(
  RATE_LIMIT_ENV_NAMES.map((name) => [name, '100000']),
);

export interface TestApp {
  app: INestApplication;
  http: ReturnType<INestApplication['getHttpServer']>;
  config: AppConfig;
  dataSource: DataSource;
  database: TestDatabase;
  /** Log lines written while the app ran (JSON strings). */
  logs: string[];
  /** With `listen: true`: where the app listens (`http://127.0.0.1:<port>`, also its ISSUER). */
  origin?: string;
  port?: number;
  close(options?: { keepDatabase?: boolean }): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Reuse a database (e.g. to restart "the same server"); default: a fresh one. */
  database?: TestDatabase;
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  /**
   * Listen on a real port of 127.0.0.1 for clients that need one (fetch, SDK clients, a browser, a
   * child process). The port is reserved before the app is built and held until it listens, so a
   * parallel worker cannot take it; ISSUER defaults to `http://127.0.0.1:<port>`.
   */
  listen?: boolean;
}

/** Boots the whole AppModule exactly as main.ts does, on a test database. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const reserved: ReservedPort | undefined = options.listen ? await reservePort() : undefined;
  const env = {
    NODE_ENV: 'test',
    ISSUER: reserved?.origin ?? 'http://127.0.0.1:8000',
    APP_SECRET: TEST_APP_SECRET,
    BCRYPT_COST: '4',
    SEED_DEMO: 'true',
    LOG_LEVEL: 'warn',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'mcp-oauth-e2e-')),
    DATABASE_URL: database.url,
    ...(process.env.PGLITE_TEMPLATE ? { PGLITE_TEMPLATE: process.env.PGLITE_TEMPLATE } : {}),
    ...GENEROUS_RATE_LIMITS,
    ...options.env,
  };
  const config = new AppConfig(validateEnv(env), env.APP_SECRET);
  const logs: string[] = [];
  const sink: LogSink = (line) => logs.push(line);
  let builder = Test.createTestingModule({ imports: [AppModule] }).overrideProvider(AppConfig).useValue(config);
  if (options.override) builder = options.override(builder);
  const moduleRef = await builder.compile();
  const logger = new JsonLogger(config.logLevel, sink);
  const app = moduleRef.createNestApplication<NestExpressApplication>(new JsonReplyAdapter(), { bodyParser: false, logger });
  setupApp(app, { logger });
  await app.init();
  // listen(handle): the HTTP server takes over the socket that has held the port since it was chosen.
  if (reserved) await app.listen(reserved.server as unknown as number);
  return {
    app,
    http: app.getHttpServer(),
    config,
    dataSource: app.get(DataSource),
    database,
    logs,
    origin: reserved?.origin,
    port: reserved?.port,
    async close({ keepDatabase = false } = {}) {
      await app.close();
      if (reserved) await reserved.release();
      if (!keepDatabase) await database.drop();
    },
  };
}
