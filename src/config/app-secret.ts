import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvSchema } from './env.schema';

const SECRET_FILE = 'app-secret';

/**
 * APP_SECRET if set; otherwise (outside production) a development secret generated once and kept
 * under DATA_DIR so restarts can still decrypt the signing keys.
 */
export function resolveAppSecret(env: EnvSchema, logger = new Logger('Config')): string {
  if (env.APP_SECRET) return env.APP_SECRET;
  const file = join(env.DATA_DIR, SECRET_FILE);
  if (existsSync(file)) {
    logger.warn(`APP_SECRET is not set: using the development secret stored in ${file}`);
    return readFileSync(file, 'utf8').trim();
  }
  mkdirSync(env.DATA_DIR, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  logger.warn(`APP_SECRET is not set: generated a development secret in ${file} (set APP_SECRET in production)`);
  return secret;
}
