import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { AuditService } from 'src/audit/audit.service';
import { ClientManagementService } from 'src/clients/client-management.service';
import { JsonLogger } from 'src/common/json-logger';
import { redactString } from 'src/common/redact';
import { InvalidEnvironmentError, validateEnv } from 'src/config/validate-env';

const USAGE = `Usage: npm run admin:create-client [-- --name "Name"]

Registers a confidential administrator client (grant client_credentials, scope admin) in the
database that DATABASE_URL / DATA_DIR name, and prints its client_id and secret once. Stop a
server that uses the embedded database (PGlite) first: only one process may open it.
`;

/**
 * `npm run admin:create-client`: bootstraps an administrator client without any other credential.
 * The secret goes to stdout exactly once (it is stored only as a hash); logs go to stderr.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      name: { type: 'string', default: 'Administrator' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const name = values.name!.trim();
  if (name.length === 0 || name.length > 200) throw new Error('--name must be 1 to 200 characters');
  const env = validateEnv(process.env);
  const logger = new JsonLogger(env.LOG_LEVEL === 'log' ? 'warn' : env.LOG_LEVEL, (line) =>
    process.stderr.write(`${line}\n`),
  );
  const { AdminCliModule } = await import('./admin-cli.module');
  const app = await NestFactory.createApplicationContext(AdminCliModule, { logger });
  try {
    const { client, clientSecret } = await app.get(ClientManagementService).create({
      clientName: name,
      redirectUris: [],
      grantTypes: ['client_credentials'],
      scope: ['admin'],
      tokenEndpointAuthMethod: 'client_secret_basic',
    });
    app.get(AuditService).record({
      type: 'client.registered',
      outcome: 'success',
      clientId: client.clientId,
      details: { actor: 'cli', scope: client.scope },
    });
    process.stdout.write(
      [
        'Administrator client created. The secret is shown only this once: store it now.',
        '',
        `client_id=${client.clientId}`,
        `client_secret=${clientSecret}`,
        '',
      ].join('\n'),
    );
  } finally {
    await app.close();
  }
}

main().catch((err: unknown) => {
  const message =
    err instanceof InvalidEnvironmentError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`admin:create-client failed: ${redactString(message)}\n`);
  process.exit(1);
});
