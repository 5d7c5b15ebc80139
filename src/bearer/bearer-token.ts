/** What the Authorization header carries, as far as RFC 6750 §2.1 is concerned. */
export type BearerCredentials =
  { kind: 'none' } | { kind: 'malformed'; reason: string } | { kind: 'token'; token: string };

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const MAX_TOKEN_LENGTH = 8192;

/**
 * Reads the bearer token from the Authorization header only: RFC 6750 §2.2 (form body) and §2.3
 * (query string) are deliberately unsupported (MCP authorization: tokens MUST NOT be in the URI).
 * Another scheme (e.g. Basic) and `Bearer` with an empty token count as no credentials, which
 * RFC 6750 §3.1 answers without an error code.
 */
export function readBearerToken(header: string | string[] | undefined): BearerCredentials {
  if (header === undefined) return { kind: 'none' };
  if (Array.isArray(header)) return { kind: 'malformed', reason: 'multiple authorization headers' };
  const value = header.trim();
  if (value === '') return { kind: 'none' };
  const space = value.indexOf(' ');
  const scheme = space === -1 ? value : value.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') return { kind: 'none' };
  const token = space === -1 ? '' : value.slice(space + 1).trim();
  // `Bearer` with no token carries no credentials: a 401 challenge without an error code
  // (RFC 6750 §3.1), the status MCP clients re-authorize on, not a 400.
  if (token === '') return { kind: 'none' };
  if (token.length > MAX_TOKEN_LENGTH || !B64TOKEN.test(token)) {
    return { kind: 'malformed', reason: 'malformed bearer token' };
  }
  return { kind: 'token', token };
}
