import { EnvSchema } from './env.schema';

/**
 * Every rate limit: `<endpoint>.<what it counts by>`, with the variable that sets it. Each counts
 * requests per RATE_LIMIT_WINDOW_SECONDS; 0 turns that one limit off.
 */
export const RATE_LIMITS = {
  'token.ip': 'RATE_LIMIT_TOKEN_PER_IP',
  'token.client': 'RATE_LIMIT_TOKEN_PER_CLIENT',
  'revoke.ip': 'RATE_LIMIT_REVOKE_PER_IP',
  'revoke.client': 'RATE_LIMIT_REVOKE_PER_CLIENT',
  'introspect.ip': 'RATE_LIMIT_INTROSPECT_PER_IP',
  'introspect.client': 'RATE_LIMIT_INTROSPECT_PER_CLIENT',
  'login.ip': 'RATE_LIMIT_LOGIN_PER_IP',
  'register.ip': 'RATE_LIMIT_REGISTER_PER_IP',
  'authorize.ip': 'RATE_LIMIT_AUTHORIZE_PER_IP',
} as const satisfies Record<string, keyof EnvSchema>;

export type RateLimitName = keyof typeof RATE_LIMITS;

/**
 * Every guessing limit (issue 12 item 9): FAILED attempts per RATE_LIMIT_FAILURE_WINDOW_SECONDS,
 * `<what fails>.<what it counts by>`. Successes do not count, and clear the succeeding identity's
 * key (client; username and username+IP), never an address's.
 */
export const FAILURE_LIMITS = {
  'client_auth.client': 'RATE_LIMIT_CLIENT_AUTH_FAILURES_PER_CLIENT',
  'client_auth.ip': 'RATE_LIMIT_CLIENT_AUTH_FAILURES_PER_IP',
  'login.username_ip': 'RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME_IP',
  'login.username': 'RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME',
} as const satisfies Record<string, keyof EnvSchema>;

export type FailureLimitName = keyof typeof FAILURE_LIMITS;

/** The variables that set a limit (tests raise them all at once). */
export const RATE_LIMIT_ENV_NAMES: ReadonlyArray<keyof EnvSchema> = [
  ...Object.values(RATE_LIMITS),
  ...Object.values(FAILURE_LIMITS),
];

export interface RateLimitConfig {
  enabled: boolean;
  windowSeconds: number;
  /** Prefix of every counter key (one Redis shared by several deployments, or by test runs). */
  keyPrefix: string;
  /** Requests allowed per window; 0 = unlimited. */
  limits: Record<RateLimitName, number>;
  /** The window of the guessing limits, seconds. */
  failureWindowSeconds: number;
  /** Failed attempts allowed per failure window; 0 = unlimited. */
  failureLimits: Record<FailureLimitName, number>;
}

/** Account lockout after consecutive failed logins (Keycloak-style growing waits). */
export interface LoginLockoutConfig {
  /** Consecutive failures that lock the account; 0 = never lock. */
  threshold: number;
  /** First lock, seconds; each further failure after a lock doubles it ... */
  baseSeconds: number;
  /** ... up to this. */
  maxSeconds: number;
  /** A lock that ended this long ago no longer counts: the next failure starts again from one. */
  resetSeconds: number;
}

export function rateLimitConfig(env: EnvSchema): RateLimitConfig {
  const limits = {} as Record<RateLimitName, number>;
  for (const [name, variable] of Object.entries(RATE_LIMITS) as [
    RateLimitName,
    keyof EnvSchema,
  ][]) {
    limits[name] = env[variable] as number;
  }
  const failureLimits = {} as Record<FailureLimitName, number>;
  for (const [name, variable] of Object.entries(FAILURE_LIMITS) as [
    FailureLimitName,
    keyof EnvSchema,
  ][]) {
    failureLimits[name] = env[variable] as number;
  }
  return {
    enabled: env.RATE_LIMIT_ENABLED,
    windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
    keyPrefix: env.RATE_LIMIT_KEY_PREFIX,
    limits,
    failureWindowSeconds: env.RATE_LIMIT_FAILURE_WINDOW_SECONDS,
    failureLimits,
  };
}

export function loginLockoutConfig(env: EnvSchema): LoginLockoutConfig {
  return {
    threshold: env.LOGIN_LOCKOUT_THRESHOLD,
    baseSeconds: env.LOGIN_LOCKOUT_BASE_SECONDS,
    maxSeconds: Math.max(env.LOGIN_LOCKOUT_BASE_SECONDS, env.LOGIN_LOCKOUT_MAX_SECONDS),
    resetSeconds: env.LOGIN_LOCKOUT_RESET_SECONDS,
  };
}
