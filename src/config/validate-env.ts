import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EnvSchema } from './env.schema';
import { mcpConfigProblems } from './mcp-config';

/** Thrown when the environment is invalid; its message names variables, never secret values. */
export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidEnvironmentError';
  }
}

/** Validates the raw environment; empty strings count as unset. */
export function validateEnv(raw: Record<string, string | undefined>): EnvSchema {
  const known = Object.keys(new EnvSchema()).concat([
    'DATABASE_URL',
    'REDIS_URL',
    'APP_SECRET',
    'SEED_DEMO',
    'MAINTENANCE_ENABLED',
    'REGISTRATION_INITIAL_ACCESS_TOKEN',
    'ADMIN_CLIENT_ID',
    'ADMIN_CLIENT_SECRET',
    'METRICS_TOKEN',
  ]);
  const picked: Record<string, string> = {};
  for (const name of known) {
    const value = raw[name];
    if (value !== undefined && value !== '') picked[name] = value;
  }
  const env = plainToInstance(EnvSchema, picked, { exposeDefaultValues: true });
  if (picked.ISSUER === undefined) env.ISSUER = defaultIssuer(env.HOST, env.PORT);
  const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: true });
  const problems = errors.map((e) => {
    // Constraint messages are ours or class-validator's and describe the rule, not the value.
    const rules = Object.values(e.constraints ?? {}).join('; ');
    return `${e.property}: ${rules}`;
  });
  if (env.NODE_ENV === 'production' && !env.APP_SECRET) {
    problems.push('APP_SECRET: required when NODE_ENV=production');
  }
  // RFC 9700 §4.13 / OAuth 2.1 §1.5: every endpoint over TLS; plain http only on loopback.
  if (env.NODE_ENV === 'production' && !isHttpsOrLoopback(env.ISSUER)) {
    problems.push('ISSUER: must be https when NODE_ENV=production (http only on a loopback host)');
  }
  problems.push(...registrationProblems(env));
  problems.push(...mcpConfigProblems(env));
  if (Boolean(env.ADMIN_CLIENT_ID) !== Boolean(env.ADMIN_CLIENT_SECRET)) {
    problems.push('ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET: set both or neither');
  }
  if (problems.length) throw new InvalidEnvironmentError(problems);
  return env;
}

/** Cross-field rules of the client registration settings (names only, never values). */
function registrationProblems(env: EnvSchema): string[] {
  const problems: string[] = [];
  if (env.REGISTRATION_MODE === 'token' && !env.REGISTRATION_INITIAL_ACCESS_TOKEN) {
    problems.push('REGISTRATION_INITIAL_ACCESS_TOKEN: required when REGISTRATION_MODE=token');
  }
  if (env.NODE_ENV === 'production') {
    for (const name of ['CIMD_ALLOW_LOOPBACK', 'CIMD_ALLOW_HTTP_LOOPBACK'] as const) {
      if (env[name] === true) problems.push(`${name}: test-only, refused when NODE_ENV=production`);
    }
  }
  return problems;
}

/** Addresses that mean "every interface": the issuer then names localhost. */
const WILDCARD_HOSTS: ReadonlySet<string> = new Set(['0.0.0.0', '::', '[::]', '::0', '*']);

/**
 * The issuer when ISSUER is unset: the address the server listens on, as a browser on the same
 * machine reaches it (`http://localhost:<PORT>`, or `http://<HOST>:<PORT>` for a specific HOST).
 * A malformed HOST or PORT is reported by its own rule; the issuer then stays a valid URL.
 */
export function defaultIssuer(host: unknown, port: unknown): string {
  const p = typeof port === 'number' && Number.isInteger(port) && port > 0 && port <= 65535 ? port : 8000;
  let h = typeof host === 'string' ? host.trim() : '';
  if (h === '' || WILDCARD_HOSTS.has(h) || !/^[A-Za-z0-9.:\-\[\]]+$/.test(h)) h = 'localhost';
  else if (h.includes(':') && !h.startsWith('[')) h = `[${h}]`;
  return `http://${h}:${p}`;
}

function isHttpsOrLoopback(issuer: string): boolean {
  try {
    const url = new URL(issuer);
    return url.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  } catch {
    return true; // a malformed ISSUER is reported by its own rule
  }
}
