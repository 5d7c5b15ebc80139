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

/** A bounded map whose entries expire; the least recently used entry goes first when full. */
export class TtlLruCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(private readonly maxEntries: number) {}

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= now) return undefined;
    this.entries.set(key, entry); // most recently used goes last
    return entry.value;
  }

  set(key: string, value: V, expiresAt: number): void {
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries)
      this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expiresAt });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
