import { normalizeIp } from '@nestjs/throttler';

/** What a limit counts by. */
export type RateLimitKey = 'ip' | 'client' | 'username';

/** The parts of a request the trackers read (express's Request, before any handler ran). */
export interface TrackedRequest {
  ip?: string;
  socket?: { remoteAddress?: string };
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}

const BASIC = /^basic\s+([A-Za-z0-9+/]+=*)\s*$/i;

/**
 * The client address as express reports it: X-Forwarded-For counts only when TRUST_PROXY names
 * the proxy it came through (SECURITY.md item 41). IPv6 addresses share a bucket per /64.
 */
export function ipOf(req: TrackedRequest): string {
  return normalizeIp(req.ip ?? req.socket?.remoteAddress ?? 'unknown');
}

/**
 * The client_id a request claims, from Basic credentials (RFC 6749 §2.3.1) or the form, without
 * authenticating it: cheap, and a wrong secret counts against the client it names.
 */
export function clientIdOf(req: TrackedRequest): string | undefined {
  const authorization = req.headers.authorization;
  if (typeof authorization === 'string' && /^basic\s/i.test(authorization)) {
    const match = BASIC.exec(authorization);
    if (!match) return undefined;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    if (sep <= 0) return undefined;
    const raw = decoded.slice(0, sep);
    try {
      return decodeURIComponent(raw.replace(/\+/g, ' '));
    } catch {
      return raw;
    }
  }
  return nonEmptyString(bodyField(req, 'client_id'));
}

/** The username of a login form, folded so that case variants share one bucket. */
export function usernameOf(req: TrackedRequest): string | undefined {
  const username = nonEmptyString(bodyField(req, 'username'));
  return username === undefined ? undefined : foldUsername(username);
}

/** Case and compatibility forms of a username share one bucket. */
export function foldUsername(username: string): string {
  return username.normalize('NFKC').toLowerCase();
}

export function trackerOf(key: RateLimitKey, req: TrackedRequest): string | undefined {
  switch (key) {
    case 'ip':
      return ipOf(req);
    case 'client':
      return clientIdOf(req);
    case 'username':
      return usernameOf(req);
  }
}

function bodyField(req: TrackedRequest, name: string): unknown {
  const body = req.body;
  return body && typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>)[name]
    : undefined;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
