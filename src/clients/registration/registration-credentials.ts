import { constantTimeEqual, sha256Hex } from 'src/common/hashing';
import { InvalidToken } from 'src/oauth/errors/oauth-errors';
import type { OAuthError } from 'src/oauth/errors/oauth.error';

/** Compared against when there is nothing to compare with, so a miss costs the same as a hit. */
const NO_HASH = sha256Hex('no registration access token');

/** The token of an `Authorization: Bearer …` header (RFC 6750 §2.1), or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization ?? '');
  return match?.[1];
}

/** Constant-time check of a presented token against a stored SHA-256 hex (null = none stored). */
export function tokenMatchesHash(
  presented: string | undefined,
  storedHash: string | null | undefined,
): boolean {
  const matches = constantTimeEqual(sha256Hex(presented ?? ''), storedHash ?? NO_HASH);
  return matches && presented !== undefined && !!storedHash;
}

/**
 * 401 invalid_token with a Bearer challenge (RFC 6750 §3.1): a missing or wrong initial access
 * token (RFC 7591 §3) or registration access token (RFC 7592 §2). An unknown client gets the same
 * answer as a wrong token, so the endpoint does not reveal which client_ids exist.
 */
export function invalidRegistrationToken(description: string): OAuthError {
  return InvalidToken(description).withHeader(
    'WWW-Authenticate',
    `Bearer error="invalid_token", error_description="${description}"`,
  );
}
