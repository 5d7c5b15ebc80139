import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { AuditService } from 'src/audit/audit.service';
import { ClientAdminService } from 'src/clients/client-admin.service';
import { JsonLogger } from 'src/common/json-logger';
import { redactString } from 'src/common/redact';
import { InvalidEnvironmentError, validateEnv } from 'src/config/validate-env';
import type { EnvSchema } from 'src/config/env.schema';
import { DataDirectoryLockedError } from 'src/database/database-errors';

const USAGE = `Usage: npm run admin:create-client [-- --name "Name"]

Registers a confidential administrator client (grant client_credentials, scope admin) in the
database that DATABASE_URL / DATA_DIR name, and prints its client_id and secret once.

While a server runs on the embedded database (PGlite, one process at a time), this command goes
through that server's admin API instead when ADMIN_CLIENT_ID and ADMIN_CLIENT_SECRET (an existing
administrator client) and ISSUER are set; otherwise it says what to do.
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
  let app;
  try {
    app = await NestFactory.createApplicationContext(AdminCliModule, {
      logger,
      abortOnError: false,
    });
  } catch (err) {
    if (!(err instanceof DataDirectoryLockedError)) throw err;
    if (env.ADMIN_CLIENT_ID && env.ADMIN_CLIENT_SECRET) return createThroughServer(env, name);
    throw new Error(`${err.message}\n\n${whileServerRuns(env)}`);
  }
  try {
    const { client, clientSecret } = await app.get(ClientAdminService).create({
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

/** What to do when the server holds the embedded database and no admin credentials are set. */
function whileServerRuns(env: EnvSchema): string {
  return [
    'The server holds the embedded database, so this command cannot open it. Either:',
    '  1. stop the server, run `npm run admin:create-client` again, then start the server; or',
    '  2. create the client through the running server: set ADMIN_CLIENT_ID and ADMIN_CLIENT_SECRET',
    '     (an administrator client; the server ensures it at start-up when both are in its',
    '     environment) and ISSUER, then run this command again; it calls',
    `     POST ${env.ISSUER}/admin/clients with a client_credentials token of scope admin.`,
  ].join('\n');
}

/** The same client, created by the running server through its admin API (README "Admin API"). */
async function createThroughServer(env: EnvSchema, name: string): Promise<void> {
  const basic = Buffer.from(
    `${encodeURIComponent(env.ADMIN_CLIENT_ID!)}:${encodeURIComponent(env.ADMIN_CLIENT_SECRET!)}`,
  ).toString('base64');
  const token = await fetch(`${env.ISSUER}/oauth/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${basic}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'admin' }),
    signal: AbortSignal.timeout(10_000),
  });
  const tokenBody = (await token.json().catch(() => ({}))) as {
    access_token?: string;
    error?: string;
  };
  if (!token.ok || !tokenBody.access_token)
    throw new Error(
      `the server at ${env.ISSUER} refused ADMIN_CLIENT_ID/ADMIN_CLIENT_SECRET (${token.status} ${tokenBody.error ?? ''})`.trim(),
    );
  const created = await fetch(`${env.ISSUER}/admin/clients`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${tokenBody.access_token}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({
      client_name: name,
      redirect_uris: [],
      grant_types: ['client_credentials'],
      scope: ['admin'],
      token_endpoint_auth_method: 'client_secret_basic',
    }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await created.json().catch(() => ({}))) as {
    client_id?: string;
    client_secret?: string;
    error?: string;
    error_description?: string;
  };
  if (created.status !== 201 || !body.client_id || !body.client_secret)
    throw new Error(
      `POST ${env.ISSUER}/admin/clients answered ${created.status} ${body.error ?? ''} ${body.error_description ?? ''}`.trim(),
    );
  process.stdout.write(
    [
      `Administrator client created through the running server at ${env.ISSUER}.`,
      'The secret is shown only this once: store it now.',
      '',
      `client_id=${body.client_id}`,
      `client_secret=${body.client_secret}`,
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  const message =
    err instanceof InvalidEnvironmentError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`admin:create-client failed: ${redactString(message)}\n`);
  process.exit(1);
});
