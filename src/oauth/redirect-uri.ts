const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

function parse(uri: string): URL | null {
  try {
    return new URL(uri);
  } catch {
    return null;
  }
}

export function isLoopbackHttp(uri: string): boolean {
  const url = parse(uri);
  return url !== null && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * Does `requested` match the registered URI? Exact string comparison (RFC 9700 §4.1.3), except that
 * for http loopback redirect URIs the port may differ (RFC 8252 §7.3): scheme, host, path and query
 * must still be identical.
 */
export function redirectUriMatches(requested: string, registered: string): boolean {
  if (requested === registered) return true;
  if (!isLoopbackHttp(registered) || !isLoopbackHttp(requested)) return false;
  const a = parse(requested)!;
  const b = parse(registered)!;
  if (a.hostname !== b.hostname || a.username || a.password || a.hash || requested.includes('#')) return false;
  // Compare everything but the port, on the raw strings so that no normalisation hides a difference.
  const strip = (raw: string, url: URL) => raw.replace(`${url.hostname}:${url.port}`, url.hostname);
  return strip(requested, a) === strip(registered, b);
}

export function findRegisteredRedirectUri(requested: string, registered: readonly string[]): string | undefined {
  return registered.find((r) => redirectUriMatches(requested, r));
}
