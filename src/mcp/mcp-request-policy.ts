/** Hosts a loopback-bound server answers to (DNS-rebinding protection, docs/mcp.md §1 item 31). */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

function hostnameOf(host: string): string | null {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return null;
  }
}

function originOf(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * A loopback issuer's origin under each loopback name, same scheme and port: a browser page on
 * http://localhost:8000 talks to the server whose ISSUER says http://127.0.0.1:8000.
 */
function loopbackSpellings(issuer: URL): string[] {
  if (!LOOPBACK_HOSTS.has(issuer.hostname)) return [];
  const port = issuer.port ? `:${issuer.port}` : '';
  return [...LOOPBACK_HOSTS].map((host) => `${issuer.protocol}//${host}${port}`);
}

/**
 * Streamable HTTP security rules (MCP 2025-11-25 transports §Security): an `Origin` that is present
 * must be the issuer's own (with a loopback issuer: under any loopback name, same scheme and port)
 * or allow-listed, and a server whose issuer is loopback only answers loopback `Host` names (any
 * port: a proxy or test client may use another), so a rebound DNS name cannot reach it.
 */
export class McpRequestPolicy {
  private readonly allowedOrigins: ReadonlySet<string>;
  private readonly loopbackOnly: boolean;

  constructor(issuer: string, allowedOrigins: readonly string[] = []) {
    const issuerUrl = new URL(issuer);
    this.loopbackOnly = LOOPBACK_HOSTS.has(issuerUrl.hostname);
    this.allowedOrigins = new Set(
      [issuerUrl.origin, ...loopbackSpellings(issuerUrl), ...allowedOrigins.map(originOf)].filter(
        (o): o is string => o !== null,
      ),
    );
  }

  /** No Origin (a non-browser client such as the SDK or Claude's servers) is allowed. */
  isOriginAllowed(origin: string | undefined): boolean {
    if (origin === undefined) return true;
    const normalised = originOf(origin);
    return normalised !== null && this.allowedOrigins.has(normalised);
  }

  isHostAllowed(host: string | undefined): boolean {
    if (!this.loopbackOnly) return true;
    if (!host) return false;
    const hostname = hostnameOf(host);
    return hostname !== null && LOOPBACK_HOSTS.has(hostname);
  }
}
