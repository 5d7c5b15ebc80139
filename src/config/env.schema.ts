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
  Min,
  MinLength,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return value;
};

/** Names of variables whose values must never be printed, even when invalid. */
export const SECRET_ENV_NAMES: ReadonlySet<string> = new Set(['APP_SECRET', 'DATABASE_URL', 'REDIS_URL']);

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

  /** The issuer identifier (RFC 8414 §2): scheme + host (+ path), no trailing slash, no query. */
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

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600)
  REFRESH_GRACE_SECONDS = 60;

  @Transform(toInt)
  @IsInt()
  @Min(4)
  @Max(15)
  BCRYPT_COST = 12;

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

  /** Express "trust proxy" value: false, a hop count, or a list of addresses/subnets. */
  @IsString()
  TRUST_PROXY = 'false';
}
