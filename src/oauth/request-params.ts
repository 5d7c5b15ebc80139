import { InvalidRequest } from './errors/oauth-errors';

export type RawParams = Record<string, unknown>;

/**
 * Reads one parameter from a parsed query or form. A parameter sent twice (RFC 6749 §3.1: "MUST NOT
 * be included more than once") or not a string is `invalid_request`; absent or empty is undefined.
 */
export function single(params: RawParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value) || typeof value !== 'string') throw InvalidRequest(`${name} must be given once`);
  return value === '' ? undefined : value;
}

export function required(params: RawParams, name: string): string {
  const value = single(params, name);
  if (value === undefined) throw InvalidRequest(`${name} is required`);
  return value;
}

/** Names of parameters sent more than once. */
export function duplicated(params: RawParams): string[] {
  return Object.entries(params)
    .filter(([, v]) => Array.isArray(v))
    .map(([k]) => k);
}
