/** How a registrable redirect URI delivers the code (RFC 8252 §7 for the native kinds). */
export type RedirectUriKind = 'https' | 'loopback' | 'custom';

export interface RedirectUriPolicy {
  /** Private-use URI schemes (RFC 8252 §7.1): `cursor://…`, `com.example.app:/cb`. */
  allowCustomSchemes: boolean;
}

/** Why a redirect URI was refused; `reason` completes "redirect_uris[i] …". */
export class RedirectUriRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RedirectUriRejected';
  }
}

export const MAX_REDIRECT_URI_LENGTH = 2000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
/*
 * Never a redirect target: schemes that run script or read local data in the browser, and network
 * schemes that are not an application.
 */
const FORBIDDEN_SCHEMES = new Set([
  'javascript',
  'data',
  'file',
  'vbscript',
  'about',
  'blob',
  'filesystem',
  'view-source',
  'ws',
  'wss',
  'ftp',
  'mailto',
  'tel',
  'sms',
]);
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/**
 * Classifies a redirect URI offered at registration, or throws RedirectUriRejected (RFC 7591 §2,
 * RFC 8252 §7, RFC 9700 §2.1, docs/mcp.md §1 item 23, docs/security.md §10 item 39): https with a host; http
 * only on a loopback host (any port, RFC 8252 §7.3); a private-use scheme when the policy allows
 * it. Never a fragment (RFC 6749 §3.1.2), userinfo, wildcard or backslash: redirect URIs are
 * compared as exact strings, and browsers read a backslash as a slash.
 */
export function classifyRedirectUri(uri: string, policy: RedirectUriPolicy): RedirectUriKind {
  const fail = (reason: string): never => {
    throw new RedirectUriRejected(reason);
  };
  if (uri.length === 0) fail('must not be empty');
  if (uri.length > MAX_REDIRECT_URI_LENGTH) fail('is too long');
  // Raw checks first: URL parsing would strip, encode or reinterpret what must be refused.
  if (/[\x00-\x20\x7f-\x9f]/.test(uri)) fail('must not contain whitespace or control characters');
  if (uri.includes('\\')) fail('must not contain backslashes');
  if (uri.includes('#')) fail('must not contain a fragment');
  if (uri.includes('*')) fail('must not contain wildcards');
  const scheme = SCHEME.exec(uri)?.[1].toLowerCase();
  if (!scheme) return fail('must be an absolute uri');
  if (FORBIDDEN_SCHEMES.has(scheme)) fail(`must not use the ${scheme} scheme`);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return fail('must be a valid uri');
  }
  if (url.username || url.password || /^[a-z][a-z0-9+.-]*:\/\/[^/?]*@/i.test(uri))
    fail('must not contain userinfo');
  if (scheme === 'https') {
    if (!url.hostname) fail('must name a host');
    return 'https';
  }
  if (scheme === 'http') {
    if (!LOOPBACK_HOSTS.has(url.hostname)) fail('may use http only on a loopback host');
    return 'loopback';
  }
  if (!policy.allowCustomSchemes)
    fail('uses a private-use uri scheme, which this server does not accept');
  // RFC 8252 §7.1: com.example.app:/cb or cursor://host/path; a bare "myapp:" leads nowhere.
  if (uri.slice(scheme.length + 1).replace(/^\/+/, '') === '') fail('must not be a bare scheme');
  return 'custom';
}

/** Native: every URI is loopback or a private-use scheme (the application_type default). */
export function allNative(kinds: readonly RedirectUriKind[]): boolean {
  return kinds.every((k) => k !== 'https');
}
