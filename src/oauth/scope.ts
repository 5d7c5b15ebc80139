import { InvalidScope } from './errors/oauth-errors';

/**
 * Scope strings per RFC 6749 §3.3: space-delimited, case-sensitive tokens of %x21 / %x23-5B / %x5D-7E.
 * Returns null when the string is malformed.
 */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export function parseScope(value: string | undefined | null): string[] | null {
  if (value === undefined || value === null) return [];
  if (value.length > 2000) return null;
  const parts = value.split(' ').filter((p) => p.length > 0);
  if (!parts.every((p) => SCOPE_TOKEN.test(p))) return null;
  return [...new Set(parts)];
}

export function formatScope(scopes: readonly string[]): string {
  return scopes.join(' ');
}

/** True when every requested scope is in `allowed`. */
export function isSubset(requested: readonly string[], allowed: readonly string[]): boolean {
  const set = new Set(allowed);
  return requested.every((s) => set.has(s));
}

/** Scopes in both lists, in the order of `a`. */
export function intersect(a: readonly string[], b: readonly string[]): string[] {
  const set = new Set(b);
  return a.filter((s) => set.has(s));
}

/**
 * The one scope check (RFC 6749 §3.3): the requested scope, or `fallback` when none was asked for,
 * must lie within `allowed`; returns the scope to grant. `description` says what it exceeds.
 * @throws invalid_scope when the value is malformed or asks for more.
 */
export function checkScope(
  value: string | undefined,
  fallback: readonly string[],
  allowed: readonly string[],
  description: string,
): string[] {
  const requested = parseScope(value);
  if (requested === null) throw InvalidScope('scope is malformed');
  const scope = requested.length ? requested : [...fallback];
  if (!isSubset(scope, allowed)) throw InvalidScope(description);
  return scope;
}
