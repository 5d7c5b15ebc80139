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
 * Streamable HTTP security rules (MCP 2025-11-25 transports §Security): an `Origin` that is present
 * must be the issuer's own or allow-listed, and a server whose issuer is loopback only answers
 * loopback `Host` names, so a rebound DNS name cannot reach it.
 */
export class McpRequestPolicy {
  private readonly allowedOrigins: ReadonlySet<string>;
  private readonly loopbackOnly: boolean;

  constructor(issuer: string, allowedOrigins: readonly string[] = []) {
    const issuerUrl = new URL(issuer);
    this.loopbackOnly = LOOPBACK_HOSTS.has(issuerUrl.hostname);
    this.allowedOrigins = new Set(
      [issuerUrl.origin, ...allowedOrigins.map(originOf)].filter((o): o is string => o !== null),
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
