import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { JsonReplyAdapter } from './common/json-reply.adapter';
import { JsonLogger } from './common/json-logger';
import { AppConfig } from './config/app-config';
import { InvalidEnvironmentError, validateEnv } from './config/validate-env';
import { installGracefulShutdown } from './health/graceful-shutdown';
import { DEMO_CLIENT, DEMO_USER } from './seed/demo-data';
import { setupApp } from './setup-app';

// bcrypt and jose (WebCrypto) share libuv's pool: give verification room (docs/architecture.md §5).
process.env.UV_THREADPOOL_SIZE ??= '16';

async function bootstrap(): Promise<void> {
  let env;
  try {
    env = validateEnv(process.env);
  } catch (err) {
    if (err instanceof InvalidEnvironmentError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = new JsonLogger(env.LOG_LEVEL, undefined, env.LOG_FORMAT);
  const { AppModule } = await import('./app.module');
  const app = await NestFactory.create<NestExpressApplication>(AppModule, new JsonReplyAdapter(), {
    logger,
    bodyParser: false,
  });
  setupApp(app, { logger });
  const config = app.get(AppConfig);
  installGracefulShutdown(app, logger);
  await app.listen(config.port, config.host);
  logger.log(
    {
      msg: 'server ready',
      issuer: config.issuer,
      metadata: `${config.issuer}/.well-known/oauth-authorization-server`,
      mcp: config.mcp.resource,
      database: config.db.kind === 'postgres' ? 'postgresql' : `pglite:${config.db.dataDir ?? 'memory'}`,
    },
    'Bootstrap',
  );
  if (config.seedDemo) {
    // Through the logger's stream: log lines are written asynchronously, the banner goes after them.
    logger.raw(
      [
        '',
        `  Issuer:          ${config.issuer}`,
        `  Metadata:        ${config.issuer}/.well-known/oauth-authorization-server`,
        `  MCP endpoint:    ${config.mcp.resource}`,
        `  Demo client:     ${DEMO_CLIENT.clientId} / ${DEMO_CLIENT.clientSecret}  (redirect ${DEMO_CLIENT.redirectUris[0]})`,
        `  Demo user:       ${DEMO_USER.username} / ${DEMO_USER.password}  (scopes ${DEMO_USER.scopes.join(' ')})`,
        '',
      ].join('\n') + '\n',
    );
  }
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
