import { EnvSchema } from './env.schema';

export type RegistrationMode = 'open' | 'token' | 'off';

/** RFC 7591/7592 dynamic client registration policy. */
export interface RegistrationConfig {
  mode: RegistrationMode;
  /** Set when mode is 'token'. */
  initialAccessToken: string | null;
  allowCustomSchemes: boolean;
  /** Private-use schemes accepted although not reverse-DNS names (lower case), e.g. `cursor`. */
  customSchemes: string[];
  /** Scopes a registered (or CIMD) client may hold; never offline_access (implied by refresh_token). */
  allowedScopes: string[];
  /** Lifetime of issued client secrets, seconds; 0 = never expire. */
  clientSecretTtl: number;
}

/** Client ID Metadata Document resolution. */
export interface CimdConfig {
  enabled: boolean;
  /** Test only: documents may live on loopback addresses. */
  allowLoopback: boolean;
  /** Test only: http://127.0.0.1|localhost/... client_ids count as CIMD URLs. */
  allowHttpLoopback: boolean;
  fetchTimeoutMs: number;
  /** The ports a client_id URL may name (default 443 only): no port scanning through the fetcher. */
  allowedPorts: number[];
}

export function registrationConfig(env: EnvSchema): RegistrationConfig {
  const scopes = env.DCR_ALLOWED_SCOPES.split(' ').filter((s) => s && s !== 'offline_access');
  return {
    mode: env.REGISTRATION_MODE,
    initialAccessToken: env.REGISTRATION_INITIAL_ACCESS_TOKEN ?? null,
    allowCustomSchemes: env.REGISTRATION_ALLOW_CUSTOM_SCHEMES,
    customSchemes: listOf(env.REGISTRATION_CUSTOM_SCHEMES).map((s) => s.toLowerCase()),
    allowedScopes: [...new Set(scopes)],
    clientSecretTtl: env.REGISTRATION_CLIENT_SECRET_TTL,
  };
}

export function cimdConfig(env: EnvSchema): CimdConfig {
  return {
    enabled: env.CIMD_ENABLED,
    allowLoopback: env.CIMD_ALLOW_LOOPBACK,
    allowHttpLoopback: env.CIMD_ALLOW_HTTP_LOOPBACK,
    fetchTimeoutMs: env.CIMD_FETCH_TIMEOUT_MS,
    allowedPorts: listOf(env.CIMD_ALLOWED_PORTS).map(Number),
  };
}

function listOf(value: string): string[] {
  return [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}
