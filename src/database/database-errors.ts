/**
 * Which errors mean "the database cannot be reached right now" (answered 503 + Retry-After, logged
 * once per outage; README "Operations"), as opposed to a bug or bad data (500, logged each time).
 * Deliberately a closed list: anything not recognised stays a server error.
 */

/** The embedded database directory is held by another process (see data-dir-lock.ts). */
export class DataDirectoryLockedError extends Error {
  override readonly name = 'DataDirectoryLockedError';

  constructor(message: string) {
    super(message);
    // An operating condition, not a bug: the message says it all, a stack trace would only bury it.
    this.stack = `${this.name}: ${message}`;
  }
}

/** Socket-level failures reaching the server (node errno codes). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs of an unavailable or overloaded server: class 08 (connection exception),
 * 57014 query_canceled (statement_timeout), 57P01-57P03 (shutdown, crash, starting up),
 * 53300 too_many_connections, 55P03 lock_not_available (lock_timeout).
 */
const SQLSTATES = new Set(['57014', '57P01', '57P02', '57P03', '53300', '55P03']);

/** node-postgres and pg-pool messages for a lost, timed-out or unusable connection. */
const DRIVER_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'is not queryable',
];

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  if (err instanceof DataDirectoryLockedError) return true;
  const { code, message, driverError, cause } = err as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (typeof message === 'string' && DRIVER_MESSAGES.some((m) => message.includes(m))) return true;
  // TypeORM wraps the driver's error (QueryFailedError.driverError); AggregateError from net.
  if (driverError && isDatabaseUnavailable(driverError, depth + 1)) return true;
  if (cause && isDatabaseUnavailable(cause, depth + 1)) return true;
  const errors = (err as { errors?: unknown }).errors;
  if (Array.isArray(errors)) return errors.some((e) => isDatabaseUnavailable(e, depth + 1));
  return false;
}

/** A short, secret-free name for logs: the code or SQLSTATE, else the error's class. */
export function unavailableCause(err: unknown): string {
  if (err && typeof err === 'object') {
    const { code, name, message, driverError } = err as Record<string, unknown>;
    if (typeof code === 'string') return code;
    if (driverError) return unavailableCause(driverError);
    if (typeof message === 'string') {
      const known = DRIVER_MESSAGES.find((m) => message.includes(m));
      if (known) return known.toLowerCase();
    }
    if (typeof name === 'string') return name;
  }
  return 'unknown';
}
