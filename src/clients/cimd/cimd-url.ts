import { CimdError } from './cimd-error';

export const MAX_CIMD_URL_LENGTH = 2048;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

export interface CimdUrlOptions {
  /** Test only: http://127.0.0.1|[::1]|localhost/... client_ids count as CIMD URLs. */
  allowHttpLoopback: boolean;
  /** The ports a client_id URL may name (CIMD_ALLOWED_PORTS; an absent port is 443). */
  allowedPorts: readonly number[];
}

/** Is this client_id meant as a Client ID Metadata Document URL (i.e. should we resolve it)? */
export function looksLikeCimdUrl(clientId: string, options: CimdUrlOptions): boolean {
  if (/^https:\/\//i.test(clientId)) return true;
  return options.allowHttpLoopback && /^http:\/\//i.test(clientId);
}

/**
 * Validates a client identifier URL (draft-ietf-oauth-client-id-metadata-document §3): https, a
 * path other than "/", no fragment, no userinfo, no dot segments, at most 2048 characters, and a
 * port this server fetches from (443 unless CIMD_ALLOWED_PORTS says otherwise), so the fetcher
 * cannot be pointed at other services of a public host. The
 * path is checked on the raw string: URL parsing would quietly collapse "." and "..".
 */
export function parseCimdUrl(clientId: string, options: CimdUrlOptions): URL {
  const fail = (reason: string): never => {
    throw new CimdError(`client_id url ${reason}`);
  };
  if (clientId.length > MAX_CIMD_URL_LENGTH) fail('is too long');
  if (/[\x00-\x20\x7f-\x9f\\]/.test(clientId)) fail('contains whitespace or control characters');
  if (clientId.includes('#')) fail('must not contain a fragment');
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return fail('is not a valid url');
  }
  const httpLoopback =
    options.allowHttpLoopback && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !httpLoopback) fail('must use https');
  if (url.username || url.password || /^[a-z]+:\/\/[^/?]*@/i.test(clientId))
    fail('must not contain userinfo');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (!options.allowedPorts.includes(port))
    fail(`must use port ${options.allowedPorts.join(' or ')}`);
  const path = rawPath(clientId);
  if (path === '' || path === '/') fail('must have a path');
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return fail('has invalid percent-encoding');
    }
    if (decoded === '.' || decoded === '..') fail('must not contain dot segments');
  }
  return url;
}

/** The path of an absolute hierarchical URL, exactly as written. */
function rawPath(uri: string): string {
  const afterScheme = uri.indexOf('://');
  if (afterScheme < 0) return '';
  const rest = uri.slice(afterScheme + 3);
  const slash = rest.search(/[/?]/);
  if (slash < 0 || rest[slash] !== '/') return '';
  const path = rest.slice(slash);
  const query = path.indexOf('?');
  return query < 0 ? path : path.slice(0, query);
}
