import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-256 as lowercase hex: how high-entropy secrets (tokens, codes, generated secrets) are stored. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** SHA-256 as base64url (the PKCE S256 transform, RFC 7636 §4.2). */
export function sha256Base64Url(value: string): string {
  return createHash('sha256').update(value, 'ascii').digest('base64url');
}

/**
 * Constant-time string comparison. Both sides are padded to a common length of at least `minLength`
 * so that the time taken does not reveal the expected value's length either.
 */
export function constantTimeEqual(a: string, b: string, minLength = 64): boolean {
  const bufA = Buffer.from(a, 'utf8');
  const bufB = Buffer.from(b, 'utf8');
  const len = Math.max(bufA.length, bufB.length, minLength);
  const padA = Buffer.alloc(len);
  const padB = Buffer.alloc(len);
  bufA.copy(padA);
  bufB.copy(padB);
  return timingSafeEqual(padA, padB) && bufA.length === bufB.length;
}
