import { CimdConfig, cimdConfig, RegistrationConfig, registrationConfig } from './client-registration-config';
import { EnvSchema } from './env.schema';
import { LoginLockoutConfig, loginLockoutConfig, RateLimitConfig, rateLimitConfig } from './security-config';
import { mcpOptions } from './mcp-config';

/** Bounds on every wait for PostgreSQL (README "Operations"). */
export interface DatabaseTimeouts {
  connectMs: number;
  statementMs: number;
  queryMs: number;
  keepAliveDelayMs: number;
}

export type DatabaseConfig =
  | { kind: 'postgres'; url: string; timeouts?: DatabaseTimeouts }
  | { kind: 'pglite'; dataDir: string | null /* null = in memory */; template?: string };

/** Typed, grouped configuration handed to feature code. Built once from the validated environment. */
export class AppConfig {
  readonly env: EnvSchema['NODE_ENV'];
  readonly port: number;
  readonly host: string;
  readonly issuer: string;
  readonly db: DatabaseConfig;
  readonly dataDir: string;
  readonly redisUrl: string | null;
  /** SHUTDOWN_TIMEOUT_SECONDS in milliseconds: the drain deadline after SIGTERM. */
  readonly shutdownTimeoutMs: number;
  readonly ttl: { accessToken: number; refreshToken: number; code: number; refreshGrace: number };
  readonly bcryptCost: number;
  readonly appSecret: string;
  readonly seedDemo: boolean;
  readonly logLevel: EnvSchema['LOG_LEVEL'];
  readonly trustProxy: boolean | number | string;
  readonly rateLimit: RateLimitConfig;
  readonly loginLockout: LoginLockoutConfig;
  readonly mcp: {
    path: string;
    resource: string;
    resourceMetadataUrl: string;
    /** MCP_ALLOWED_ORIGINS: browser origins besides the issuer's own that may call /mcp. */
    allowedOrigins: string[];
    /** MCP_CONFORMANCE_FIXTURE: mount the unauthenticated test fixture at /conformance/mcp. */
    conformanceFixture: boolean;
  };
  readonly registration: RegistrationConfig;
  /** ADMIN_CLIENT_ID + ADMIN_CLIENT_SECRET: the administrator client ensured at start-up. */
  readonly adminClient: { clientId: string; secret: string } | null;
  readonly cimd: CimdConfig;
  readonly maintenance: {
    enabled: boolean;
    auditRetentionDays: number;
    keyRotationIntervalHours: number;
    dcrClientTtlDays: number;
  };

  constructor(env: EnvSchema, appSecret: string) {
    this.env = env.NODE_ENV;
    this.port = env.PORT;
    this.host = env.HOST;
    this.issuer = env.ISSUER;
    this.dataDir = env.DATA_DIR;
    this.db = !env.DATABASE_URL
      ? { kind: 'pglite', dataDir: `${env.DATA_DIR}/pglite` }
      : env.DATABASE_URL === 'memory://'
        ? { kind: 'pglite', dataDir: null, ...(env.PGLITE_TEMPLATE ? { template: env.PGLITE_TEMPLATE } : {}) }
        : {
            kind: 'postgres',
            url: env.DATABASE_URL,
            timeouts: {
              connectMs: env.DB_CONNECT_TIMEOUT_MS,
              statementMs: env.DB_STATEMENT_TIMEOUT_MS,
              queryMs: env.DB_QUERY_TIMEOUT_MS,
              keepAliveDelayMs: env.DB_KEEPALIVE_DELAY_MS,
            },
          };
    this.shutdownTimeoutMs = env.SHUTDOWN_TIMEOUT_SECONDS * 1000;
    this.redisUrl = env.REDIS_URL ?? null;
    this.ttl = {
      accessToken: env.ACCESS_TOKEN_TTL,
      refreshToken: env.REFRESH_TOKEN_TTL,
      code: env.AUTHORIZATION_CODE_TTL,
      refreshGrace: env.REFRESH_GRACE_SECONDS,
    };
    this.bcryptCost = env.BCRYPT_COST;
    this.appSecret = appSecret;
    this.seedDemo = env.SEED_DEMO ?? env.NODE_ENV !== 'production';
    this.logLevel = env.LOG_LEVEL;
    this.trustProxy = parseTrustProxy(env.TRUST_PROXY);
    this.rateLimit = rateLimitConfig(env);
    this.loginLockout = loginLockoutConfig(env);
    this.registration = registrationConfig(env);
    this.adminClient =
      env.ADMIN_CLIENT_ID && env.ADMIN_CLIENT_SECRET
        ? { clientId: env.ADMIN_CLIENT_ID, secret: env.ADMIN_CLIENT_SECRET }
        : null;
    this.cimd = cimdConfig(env);
    // Off by default under test: e2e specs run the jobs by hand, never on a timer.
    this.maintenance = {
      enabled: env.MAINTENANCE_ENABLED ?? env.NODE_ENV !== 'test',
      auditRetentionDays: env.AUDIT_RETENTION_DAYS,
      keyRotationIntervalHours: env.KEY_ROTATION_INTERVAL_HOURS,
      dcrClientTtlDays: env.DCR_CLIENT_TTL_DAYS,
    };
    const resource = `${env.ISSUER}/mcp`;
    const path = new URL(resource).pathname;
    this.mcp = {
      path,
      resource,
      resourceMetadataUrl: `${new URL(env.ISSUER).origin}/.well-known/oauth-protected-resource${path}`,
      ...mcpOptions(env),
    };
  }

  get isProduction(): boolean {
    return this.env === 'production';
  }

  /** Cookies get `Secure` when the issuer is https (RFC 9700 §4.13 is about TLS everywhere). */
  get secureCookies(): boolean {
    return this.issuer.startsWith('https://');
  }
}

function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}
