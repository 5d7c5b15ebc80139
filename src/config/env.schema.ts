import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
} from 'class-validator';
import { isNameableCustomScheme } from 'src/clients/policy/redirect-uri-rules';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return value;
};

const listItems = (value: unknown): string[] | null =>
  typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : null;

/** Comma-separated scheme names REGISTRATION_CUSTOM_SCHEMES may hold (never http(s), javascript, …). */
const IsSchemeList = (message: string) =>
  ValidateBy({
    name: 'isSchemeList',
    validator: {
      validate: (value: unknown) =>
        listItems(value)?.every((s) => isNameableCustomScheme(s.toLowerCase())) ?? false,
      defaultMessage: () => message,
    },
  });

/** Comma-separated TCP ports, at least one. */
const IsPortList = (message: string) =>
  ValidateBy({
    name: 'isPortList',
    validator: {
      validate: (value: unknown) => {
        const items = listItems(value);
        return (
          !!items &&
          items.length > 0 &&
          items.every((p) => /^\d{1,5}$/.test(p) && Number(p) >= 1 && Number(p) <= 65535)
        );
      },
      defaultMessage: () => message,
    },
  });

/** Names of variables whose values must never be printed, even when invalid. */
export const SECRET_ENV_NAMES: ReadonlySet<string> = new Set([
  'APP_SECRET',
  'DATABASE_URL',
  'REDIS_URL',
  'ADMIN_CLIENT_SECRET',
  'REGISTRATION_INITIAL_ACCESS_TOKEN',
  'METRICS_TOKEN',
]);

/**
 * The whole environment the server reads, validated at start-up. Every name here is documented in
 * the README; defaults are the safe development ones.
 */
export class EnvSchema {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 8000;

  @IsString()
  HOST = '0.0.0.0';

  /**
   * The issuer identifier (RFC 8414 §2): scheme + host (+ path), no trailing slash, no query.
   * Unset: `http://localhost:<PORT>`, or `http://<HOST>:<PORT>` when HOST is not a wildcard
   * (`defaultIssuer` in validate-env.ts).
   */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  @Matches(/^[^?#]*[^/?#]$/, { message: 'ISSUER must not end with a slash or carry a query or fragment' })
  ISSUER = 'http://localhost:8000';

  /** postgres://… for a PostgreSQL server, memory:// for a throw-away PGlite; unset = PGlite under DATA_DIR. */
  @IsOptional()
  @Matches(/^(postgres(ql)?:\/\/.+|memory:\/\/)$/, {
    message: 'DATABASE_URL must be a postgres:// URL or memory://',
  })
  DATABASE_URL?: string;

  @IsString()
  @MinLength(1)
  DATA_DIR = './data';

  /** Test-only: a PGlite data-dir dump an in-memory database starts from (skips initdb). */
  @IsOptional()
  @IsString()
  PGLITE_TEMPLATE?: string;

  /** PostgreSQL: longest wait for a new connection or a free pool slot (then 503). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60000)
  DB_CONNECT_TIMEOUT_MS = 3000;

  /** PostgreSQL: statement_timeout, the server cancels a statement running longer. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600000)
  DB_STATEMENT_TIMEOUT_MS = 5000;

  /** PostgreSQL: longest wait for a query's answer on the client side (a frozen server or network). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600000)
  DB_QUERY_TIMEOUT_MS = 6000;

  /** PostgreSQL: TCP keepalive probes start after this much idle time on a pooled connection. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(3600000)
  DB_KEEPALIVE_DELAY_MS = 10000;

  /** SIGTERM/SIGINT: in-flight requests finish and connections close within this, then the process exits. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(600)
  SHUTDOWN_TIMEOUT_SECONDS = 10;

  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(86400)
  ACCESS_TOKEN_TTL = 3600;

  @Transform(toInt)
  @IsInt()
  @Min(300)
  @Max(31536000)
  REFRESH_TOKEN_TTL = 2592000;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(600)
  AUTHORIZATION_CODE_TTL = 600;

  /**
   * How long a rotated refresh token still returns its (unused) successor: covers concurrent
   * refreshes from one client and an immediate retry after a lost response, which arrive within a
   * second or two. Kept short because within it anyone holding the old token gets the same
   * successor (docs/security.md §12.6).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600)
  REFRESH_GRACE_SECONDS = 5;

  @Transform(toInt)
  @IsInt()
  @Min(4)
  @Max(15)
  BCRYPT_COST = 12;

  /** Password hashes in flight at most (docs/performance.md, password hashing budget). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  PASSWORD_HASH_CONCURRENCY = 2;

  /** Percent of the process's CPU time password hashing may use, averaged over 10 s. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  PASSWORD_HASH_CPU_PERCENT = 10;

  /** Password hashes waiting for the budget at most; more get 503 at once. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10_000)
  PASSWORD_HASH_QUEUE = 64;

  /** How long a password hash waits for the budget before the request gets 503, milliseconds. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  PASSWORD_HASH_MAX_WAIT_MS = 2000;

  /** Encrypts signing keys at rest and signs cookies. Required when NODE_ENV=production. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'APP_SECRET must be at least 32 characters' })
  APP_SECRET?: string;

  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  SEED_DEMO?: boolean;

  @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  /** `json`: one JSON object per line (production, log shippers); `pretty`: readable lines for development. */
  @IsIn(['json', 'pretty'])
  LOG_FORMAT: 'json' | 'pretty' = 'json';

  /** Serve Prometheus metrics at GET /metrics (loopback callers, or METRICS_TOKEN). */
  @Transform(toBool)
  @IsBoolean()
  METRICS_ENABLED = true;

  /** Bearer token that lets non-loopback callers (a Prometheus elsewhere) read /metrics. Secret. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'METRICS_TOKEN must be at least 32 characters' })
  @MaxLength(512)
  @Matches(/^[\x21-\x7e]+$/, { message: 'METRICS_TOKEN must be printable ASCII without spaces' })
  METRICS_TOKEN?: string;

  /** Express "trust proxy" value: false, a hop count, or a list of addresses/subnets. */
  @IsString()
  TRUST_PROXY = 'false';

  /** Comma-separated browser origins (scheme://host[:port]) besides the issuer's that may call /mcp. */
  @IsString()
  MCP_ALLOWED_ORIGINS = '';

  /** Scheduled maintenance (purge, key rotation, DCR expiry). Unset: on, except NODE_ENV=test. */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  MAINTENANCE_ENABLED?: boolean;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  AUDIT_RETENTION_DAYS = 90;

  /** Time between signing key rotations; the next key is published an hour before it signs. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(8760)
  KEY_ROTATION_INTERVAL_HOURS = 24;

  /** Dynamically registered clients unused this long are deleted. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  DCR_CLIENT_TTL_DAYS = 30;

  /** RFC 7591 registration: open to anyone, token (initial access token required), or off. */
  @IsIn(['open', 'token', 'off'])
  REGISTRATION_MODE: 'open' | 'token' | 'off' = 'open';

  /** The initial access token REGISTRATION_MODE=token requires (RFC 7591 §3). Secret. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'REGISTRATION_INITIAL_ACCESS_TOKEN must be at least 32 characters' })
  @Matches(/^[A-Za-z0-9\-._~+/]+=*$/, {
    message: 'REGISTRATION_INITIAL_ACCESS_TOKEN must use only bearer token characters (RFC 6750 b64token)',
  })
  REGISTRATION_INITIAL_ACCESS_TOKEN?: string;

  /** Accept private-use URI scheme redirect URIs (com.example.app:/cb, and REGISTRATION_CUSTOM_SCHEMES). */
  @Transform(toBool)
  @IsBoolean()
  REGISTRATION_ALLOW_CUSTOM_SCHEMES = true;

  /**
   * Private-use schemes accepted although they are not reverse domain names (RFC 8252 §7.1), comma
   * separated; empty = reverse-DNS schemes only. `cursor` is Cursor's.
   */
  @IsSchemeList(
    'REGISTRATION_CUSTOM_SCHEMES must be comma-separated URI scheme names (letters, digits, + and -), not http, https or a scheme that runs script or reads local data',
  )
  REGISTRATION_CUSTOM_SCHEMES = 'cursor';

  /** Lifetime of secrets issued to registered confidential clients, seconds; 0 = never expire. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(315360000)
  REGISTRATION_CLIENT_SECRET_TTL = 0;

  /** The scopes dynamically registered and CIMD clients may hold (offline_access is implied by refresh_token). */
  @Matches(/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/, {
    message: 'DCR_ALLOWED_SCOPES must be space-separated scope tokens',
  })
  DCR_ALLOWED_SCOPES = 'read write';

  /** Resolve https client_ids through Client ID Metadata Documents. */
  @Transform(toBool)
  @IsBoolean()
  CIMD_ENABLED = true;

  /** Test only: let CIMD documents be fetched from loopback addresses. Refused in production. */
  @Transform(toBool)
  @IsBoolean()
  CIMD_ALLOW_LOOPBACK = false;

  /** Test only: accept http://127.0.0.1|localhost/... client_ids as CIMD URLs. Refused in production. */
  @Transform(toBool)
  @IsBoolean()
  CIMD_ALLOW_HTTP_LOOPBACK = false;

  /** Total time allowed for fetching one CIMD document (DNS, connect, redirects, body). */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(10000)
  CIMD_FETCH_TIMEOUT_MS = 5000;

  /** The ports a CIMD client_id URL may name, comma separated (443 = the https default). */
  @IsPortList('CIMD_ALLOWED_PORTS must be comma-separated port numbers (1-65535)')
  CIMD_ALLOWED_PORTS = '443';

  /** Bootstrap administrator client (client_credentials, scope admin); needs ADMIN_CLIENT_SECRET. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._~-]{3,128}$/, {
    message: 'ADMIN_CLIENT_ID must be 3 to 128 characters from A-Z a-z 0-9 . _ ~ -',
  })
  ADMIN_CLIENT_ID?: string;

  /** The administrator client's secret (stored with bcrypt, so at most 72 bytes). Secret. */
  @IsOptional()
  @IsString()
  @MinLength(20, { message: 'ADMIN_CLIENT_SECRET must be at least 20 characters' })
  @MaxLength(72, { message: 'ADMIN_CLIENT_SECRET must be at most 72 characters' })
  ADMIN_CLIENT_SECRET?: string;

  /** Rate limits on the token, revocation, introspection, login, registration and authorize endpoints. */
  @Transform(toBool)
  @IsBoolean()
  RATE_LIMIT_ENABLED = true;

  /** The window every RATE_LIMIT_* count is per, seconds (a client over a limit waits out the window). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  RATE_LIMIT_WINDOW_SECONDS = 60;

  /** Prefix of the counter keys (in Redis when REDIS_URL is set). */
  @Matches(/^[A-Za-z0-9:_.-]{1,64}$/, { message: 'RATE_LIMIT_KEY_PREFIX must be 1 to 64 characters from A-Z a-z 0-9 : _ . -' })
  RATE_LIMIT_KEY_PREFIX = 'mcp-oauth:rl:';

  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000) RATE_LIMIT_TOKEN_PER_IP = 300;
  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000) RATE_LIMIT_TOKEN_PER_CLIENT = 600;
  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000) RATE_LIMIT_REVOKE_PER_IP = 300;
  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000) RATE_LIMIT_REVOKE_PER_CLIENT = 300;
  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000) RATE_LIMIT_INTROSPECT_PER_IP = 600;
  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000) RATE_LIMIT_INTROSPECT_PER_CLIENT = 600;
  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000) RATE_LIMIT_LOGIN_PER_IP = 30;
  /** Generous: cloud MCP clients register from a few shared egress addresses. */
  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000) RATE_LIMIT_REGISTER_PER_IP = 120;
  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000) RATE_LIMIT_AUTHORIZE_PER_IP = 300;

  /**
   * Guessing limits (issue 12 item 9, docs/security.md §12.5): FAILED attempts per window;
   * once a key reaches its cap, further attempts get 429 until its window ends. A success clears
   * the key of the identity that succeeded. 0 turns one limit off.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  RATE_LIMIT_FAILURE_WINDOW_SECONDS = 300;

  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000) RATE_LIMIT_CLIENT_AUTH_FAILURES_PER_CLIENT = 10;
  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000) RATE_LIMIT_CLIENT_AUTH_FAILURES_PER_IP = 15;
  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000) RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME_IP = 10;
  /** Higher: failures from many addresses for one username (the account lockout still applies). */
  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000) RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME = 50;

  /** Consecutive failed logins that lock an account; 0 = never lock. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000)
  LOGIN_LOCKOUT_THRESHOLD = 5;

  /** The first lock, seconds; it doubles with each further failure, up to LOGIN_LOCKOUT_MAX_SECONDS. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  LOGIN_LOCKOUT_BASE_SECONDS = 60;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  LOGIN_LOCKOUT_MAX_SECONDS = 900;

  /** A lock that ended this long ago is forgotten: counting starts again from one. */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(31536000)
  LOGIN_LOCKOUT_RESET_SECONDS = 43200;
}
