import { InvalidTarget } from './errors/oauth-errors';

/**
 * RFC 8707 resource indicators. This server protects one resource, its MCP endpoint; a presented
 * value matches when it is that URI, tolerating upper-case scheme/host and, for an origin-only URI,
 * a trailing slash (docs/mcp.md §1 item 14).
 */
export function resourceMatches(presented: string, canonical: string): boolean {
  if (presented === canonical) return true;
  let a: URL;
  let b: URL;
  try {
    a = new URL(presented);
    b = new URL(canonical);
  } catch {
    return false;
  }
  if (a.hash || presented.includes('#') || a.username || a.password) return false;
  const path = (u: URL) => (u.pathname === '/' ? '' : u.pathname);
  return a.origin === b.origin && path(a) === path(b) && a.search === b.search;
}

/**
 * The one resource check of every endpoint that takes `resource` (RFC 8707 §2): absent is fine,
 * anything but this server's resource is invalid_target.
 */
export function checkResource(presented: string | undefined, canonical: string): void {
  if (presented !== undefined && !resourceMatches(presented, canonical)) throw InvalidTarget('unknown resource');
}
