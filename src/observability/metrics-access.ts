import { constantTimeEqual } from 'src/common/hashing';

/** The parts of a request the /metrics access rule reads. */
export interface MetricsRequest {
  /** Express's client address: the socket's, or X-Forwarded-For through a TRUST_PROXY proxy. */
  ip?: string;
  socket?: { remoteAddress?: string };
  headers: Record<string, string | string[] | undefined>;
}

export type MetricsAccess = 'allowed' | 'token_required' | 'bad_token' | 'loopback_only';

const BEARER = /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/;

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/**
 * Who may read /metrics (README: Metrics). A loopback caller without a token: a Prometheus or an
 * operator on the same host. A request that came through a proxy (X-Forwarded-For / Forwarded)
 * counts as loopback only if TRUST_PROXY trusts that proxy and the client it names is loopback,
 * so a reverse proxy on the same host never makes the whole Internet "local". Everyone else needs
 * `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time).
 */
export function metricsAccess(
  req: MetricsRequest,
  options: { token: string | null; trustProxy: boolean | number | string },
): MetricsAccess {
  const authorization = req.headers.authorization;
  if (typeof authorization === 'string' && options.token) {
    const match = BEARER.exec(authorization);
    if (match && constantTimeEqual(match[1], options.token, 32)) return 'allowed';
    return 'bad_token';
  }
  const forwarded = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
  const proxyTrusted = options.trustProxy !== false && options.trustProxy !== 0;
  const local =
    isLoopbackAddress(req.socket?.remoteAddress) &&
    (forwarded ? proxyTrusted && isLoopbackAddress(req.ip) : isLoopbackAddress(req.ip ?? req.socket?.remoteAddress));
  if (local) return 'allowed';
  return options.token ? 'token_required' : 'loopback_only';
}
