import { constantTimeEqual, sha256Hex } from 'src/common/hashing';
import { PasswordHasher } from 'src/common/password-hasher';

/**
 * Stored client secrets say how they were hashed (docs/architecture.md §4): `sha256:<hex>` for
 * server-generated 256-bit secrets (a fast hash suffices at that entropy), `bcrypt:<hash>` for
 * human-chosen ones.
 */
export const CLIENT_SECRET_PREFIX = 'mcpcs_';

export function hashGeneratedSecret(secret: string): string {
  return `sha256:${sha256Hex(secret)}`;
}

export async function hashChosenSecret(secret: string, hasher: PasswordHasher): Promise<string> {
  return `bcrypt:${await hasher.hash(secret)}`;
}

export async function verifyClientSecret(
  presented: string,
  stored: string,
  hasher: PasswordHasher,
): Promise<boolean> {
  const sep = stored.indexOf(':');
  const scheme = stored.slice(0, sep);
  const value = stored.slice(sep + 1);
  if (scheme === 'sha256') return constantTimeEqual(sha256Hex(presented), value);
  if (scheme === 'bcrypt') return hasher.verify(presented, value);
  return false;
}
