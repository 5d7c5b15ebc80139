import { constantTimeEqual, sha256Base64Url } from 'src/common/hashing';

/** RFC 7636 §4.1: 43-128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
/** An S256 challenge is base64url(SHA-256), 43 characters without padding. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export const isValidCodeVerifier = (verifier: string): boolean => VERIFIER.test(verifier);
export const isValidS256Challenge = (challenge: string): boolean => S256_CHALLENGE.test(challenge);

/** RFC 7636 §4.6, S256 only (OAuth 2.1): constant-time comparison of the transformed verifier. */
export function verifyS256(verifier: string, challenge: string): boolean {
  if (!isValidCodeVerifier(verifier)) return false;
  return constantTimeEqual(sha256Base64Url(verifier), challenge);
}
