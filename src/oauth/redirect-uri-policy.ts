import { isLoopbackHttp } from './redirect-uri';

/** Schemes that can never be a redirect target: they run code or read local data in the browser. */
const FORBIDDEN_SCHEMES = new Set([
  'javascript',
  'data',
  'file',
  'vbscript',
  'blob',
  'about',
  'filesystem',
  'ws',
  'wss',
  'ftp',
]);
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const MAX_REDIRECT_URI_LENGTH = 2000;

/**
 * Why `uri` may not be registered as a redirect URI, or null when it may (docs/mcp.md §1 item 23,
 * docs/security.md §10 item 39): `https://`, `http://` on a loopback host (RFC 8252 §7.3), or a private-use
 * scheme for native apps (RFC 8252 §7.1, e.g. `cursor://…`). Never a fragment (RFC 6749 §3.1.2),
 * credentials, backslashes or wildcards, or a scheme that executes or reads locally.
 */
export function redirectUriProblem(uri: unknown): string | null {
  if (typeof uri !== 'string' || uri.length === 0) return 'must be a non-empty string';
  if (uri.length > MAX_REDIRECT_URI_LENGTH) return 'is too long';
  if (/[\s\x00-\x1f\x7f]/.test(uri)) return 'must not contain whitespace or control characters';
  // Browsers read a backslash as a slash in http(s) URLs: what we compare is not what they follow.
  if (uri.includes('\\')) return 'must not contain backslashes';
  if (uri.includes('*')) return 'must not contain wildcards';
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (!scheme) return 'must be an absolute URI';
  if (FORBIDDEN_SCHEMES.has(scheme)) return `must not use the ${scheme} scheme`;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URI';
  }
  if (url.hash || uri.includes('#')) return 'must not contain a fragment';
  if (url.username || url.password) return 'must not contain credentials';
  if (scheme === 'https') return url.hostname ? null : 'must name a host';
  if (scheme === 'http')
    return isLoopbackHttp(uri) ? null : 'http is only allowed for loopback hosts';
  // A private-use scheme: the rest is the app's business, but it must lead somewhere.
  return uri.length > scheme.length + 1 ? null : 'must not be a bare scheme';
}
