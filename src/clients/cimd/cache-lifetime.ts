export const CIMD_CACHE_MIN_SECONDS = 60;
export const CIMD_CACHE_MAX_SECONDS = 24 * 60 * 60;
export const CIMD_CACHE_DEFAULT_SECONDS = 5 * 60;

/**
 * How long a fetched metadata document is trusted: its Cache-Control max-age clamped to
 * [60 s, 24 h] (the CIMD draft lets the server bound cache lifetimes); 5 minutes when absent.
 * no-store / no-cache still get the floor, so one client cannot make every request a fetch.
 */
export function cacheLifetimeSeconds(cacheControl: string | undefined): number {
  if (!cacheControl) return CIMD_CACHE_DEFAULT_SECONDS;
  if (/(?:^|,)\s*(?:no-store|no-cache)\b/i.test(cacheControl)) return CIMD_CACHE_MIN_SECONDS;
  const maxAge = /(?:^|,)\s*max-age\s*=\s*"?(\d{1,12})"?\s*(?:,|$)/i.exec(cacheControl);
  if (!maxAge) return CIMD_CACHE_DEFAULT_SECONDS;
  return Math.min(Math.max(Number(maxAge[1]), CIMD_CACHE_MIN_SECONDS), CIMD_CACHE_MAX_SECONDS);
}
