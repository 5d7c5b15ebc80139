/** How a registrable redirect URI delivers the code (RFC 8252 §7 for the native kinds). */
export type RedirectUriKind = 'https' | 'loopback' | 'custom';

export interface RedirectUriRules {
  /** Private-use URI schemes at all (REGISTRATION_ALLOW_CUSTOM_SCHEMES). */
  allowCustomSchemes: boolean;
  /**
   * Private-use schemes accepted although they are not reverse-DNS names (REGISTRATION_CUSTOM_SCHEMES,
   * lower case, e.g. `cursor`). Every other private-use scheme must be a reverse domain name.
   */
  namedCustomSchemes: readonly string[];
}

/** Why a redirect URI was refused; `reason` completes "redirect_uris[i] …". */
export class RedirectUriRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RedirectUriRejected';
  }
}

export const MAX_REDIRECT_URI_LENGTH = 2000;
/** Hosts on which http is acceptable at registration (RFC 8252 §7.3, §8.3). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
/** The loopback IP literals whose port may vary at /authorize (RFC 8252 §7.3; not `localhost`, §8.3). */
const LOOPBACK_IP_LITERALS = new Set(['127.0.0.1', '[::1]']);
/*
 * Schemes refused with their own name so the error says why. Every other non-http(s) scheme must
 * match an allowed shape below: this list only makes the message precise, it is not the defence.
 */
const NAMED_REFUSALS = new Set([
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
 * RFC 8252 §7.1: "a URI scheme based on a domain name under their control, expressed in reverse
 * order" (`com.example.app`). At least two labels; the first is a top-level domain (letters only),
 * so `x-apple.systempreferences` or `ms-msdt` are not reverse domain names.
 */
const REVERSE_DNS_SCHEME = /^[a-z]{2,63}(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
/** What REGISTRATION_CUSTOM_SCHEMES may name: a plain scheme word, none of the refused ones. */
export const NAMED_CUSTOM_SCHEME = /^[a-z][a-z0-9+-]{1,31}$/;

/** May `scheme` be listed in REGISTRATION_CUSTOM_SCHEMES? */
export function isNameableCustomScheme(scheme: string): boolean {
  return (
    NAMED_CUSTOM_SCHEME.test(scheme) &&
    !NAMED_REFUSALS.has(scheme) &&
    scheme !== 'http' &&
    scheme !== 'https'
  );
}

/**
 * Classifies a redirect URI any client wants to register, or throws RedirectUriRejected (RFC 7591
 * §2, RFC 8252 §7, RFC 9700 §2.1 and §4.11.2; docs/security.md §11.2): https with a host;
 * http only on a loopback host; a private-use scheme only when the rules allow them, and then
 * only a reverse-DNS scheme or one named in REGISTRATION_CUSTOM_SCHEMES (an allowlist of shapes:
 * `ms-msdt:`, `chrome:` or `search-ms:` are refused without having to be listed). Never a
 * fragment (RFC 6749 §3.1.2), userinfo, wildcard or backslash: redirect URIs are compared as exact
 * strings, and browsers read a backslash as a slash.
 */
export function classifyRedirectUri(uri: string, rules: RedirectUriRules): RedirectUriKind {
  const fail = (reason: string): never => {
    throw new RedirectUriRejected(reason);
  };
  if (typeof uri !== 'string' || uri.length === 0) fail('must not be empty');
  if (uri.length > MAX_REDIRECT_URI_LENGTH) fail('is too long');
  // Raw checks first: URL parsing would strip, encode or reinterpret what must be refused.
  if (/[\x00-\x20\x7f-\x9f]/.test(uri)) fail('must not contain whitespace or control characters');
  if (uri.includes('\\')) fail('must not contain backslashes');
  if (uri.includes('#')) fail('must not contain a fragment');
  if (uri.includes('*')) fail('must not contain wildcards');
  const scheme = SCHEME.exec(uri)?.[1].toLowerCase();
  if (!scheme) return fail('must be an absolute uri');
  if (NAMED_REFUSALS.has(scheme)) fail(`must not use the ${scheme} scheme`);
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
  if (!rules.allowCustomSchemes)
    fail('uses a private-use uri scheme, which this server does not accept');
  if (!REVERSE_DNS_SCHEME.test(scheme) && !rules.namedCustomSchemes.includes(scheme)) {
    fail(
      'uses a private-use uri scheme that is not a reverse domain name (such as com.example.app)',
    );
  }
  // RFC 8252 §7.1: com.example.app:/cb or cursor://host/path; a bare "myapp:" leads nowhere.
  if (uri.slice(scheme.length + 1).replace(/^\/+/, '') === '') fail('must not be a bare scheme');
  return 'custom';
}

/** Native: every URI is loopback or a private-use scheme (the application_type default). */
export function allNative(kinds: readonly RedirectUriKind[]): boolean {
  return kinds.every((k) => k !== 'https');
}

function parse(uri: string): URL | null {
  try {
    return new URL(uri);
  } catch {
    return null;
  }
}

/** http on 127.0.0.1, [::1] or localhost: the redirect stays on the person's own machine. */
export function isLoopbackRedirectUri(uri: string): boolean {
  const url = parse(uri);
  return url !== null && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/** http on a loopback IP literal (127.0.0.1 or [::1]), never the name `localhost` (RFC 8252 §8.3). */
export function isLoopbackIpLiteralUri(uri: string): boolean {
  const url = parse(uri);
  return url !== null && url.protocol === 'http:' && LOOPBACK_IP_LITERALS.has(url.hostname);
}

/**
 * Does `requested` match the registered URI? Exact string comparison (RFC 9700 §4.1.3), except
 * that when `loopbackPortMayVary` (native and public clients, see `mayUseAnyLoopbackPort`) the
 * port of an http redirect URI on a loopback IP literal may differ (RFC 8252 §7.3): scheme, host,
 * path and query must still be identical. `localhost` never gets that latitude (RFC 8252 §8.3: a
 * name can resolve elsewhere), nor does a confidential web client.
 */
export function redirectUriMatches(
  requested: string,
  registered: string,
  loopbackPortMayVary: boolean,
): boolean {
  if (requested === registered) return true;
  if (!loopbackPortMayVary) return false;
  if (!isLoopbackIpLiteralUri(registered) || !isLoopbackIpLiteralUri(requested)) return false;
  const a = parse(requested)!;
  const b = parse(registered)!;
  if (a.hostname !== b.hostname || a.username || a.password || a.hash || requested.includes('#'))
    return false;
  // Compare everything but the port, on the raw strings so that no normalisation hides a difference.
  const strip = (raw: string, url: URL) => raw.replace(`${url.hostname}:${url.port}`, url.hostname);
  return strip(requested, a) === strip(registered, b);
}

export function findRegisteredRedirectUri(
  requested: string,
  registered: readonly string[],
  loopbackPortMayVary: boolean,
): string | undefined {
  return registered.find((r) => redirectUriMatches(requested, r, loopbackPortMayVary));
}
