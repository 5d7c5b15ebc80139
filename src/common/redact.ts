/** Field names whose values never reach a log line or an audit row (docs/style.md §4). */
export const SECRET_FIELDS: ReadonlySet<string> = new Set([
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'code_verifier',
  'client_secret',
  'password',
  'assertion',
  'client_assertion',
  'registration_access_token',
  'authorization',
  'cookie',
  'set-cookie',
  'secret',
  'app_secret',
  'csrf',
  '_csrf',
]);

export const REDACTED = '[REDACTED]';

// Values that look like our opaque secrets, a JWT, or credentials in a URL or header.
const SECRET_PATTERNS: RegExp[] = [
  /\bmcp(ac|rt|cs|rat)_[A-Za-z0-9_-]{8,}/g,
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
  /\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi,
  /([?&](?:code|token|access_token|refresh_token|client_secret|code_verifier|password)=)[^&\s"]+/gi,
  /(\/\/[^:/\s]+:)[^@/\s]+@/g,
];

/** Masks secret-looking substrings in free text. */
export function redactString(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, ...groups) => {
      const prefix = typeof groups[0] === 'string' && match.startsWith(groups[0]) ? groups[0] : '';
      if (/^(Bearer|Basic)\s/i.test(match)) return `${match.split(/\s+/)[0]} ${REDACTED}`;
      return `${prefix}${REDACTED}`;
    });
  }
  return out;
}

/** Deep copy with secret fields replaced and secret-looking strings masked. */
export function redact<T>(value: T, depth = 0): T {
  if (depth > 8) return REDACTED as unknown as T;
  if (typeof value === 'string') return redactString(value) as unknown as T;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1)) as unknown as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      out[key] = SECRET_FIELDS.has(key.toLowerCase()) ? REDACTED : redact(v, depth + 1);
    }
    return out as T;
  }
  return value;
}
