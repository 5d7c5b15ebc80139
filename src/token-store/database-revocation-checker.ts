import { Injectable } from '@nestjs/common';
import { Clock } from 'src/common/clock';
import { AppConfig } from 'src/config/app-config';
import { AccessTokenRevocationRepository } from './access-token-revocation.repository';
import { RevocationChecker } from './revocation-checker';

/** A "not revoked" answer is trusted this long; a revocation elsewhere shows within it at worst. */
export const NOT_REVOKED_CACHE_MS = 5_000;
/** Bound on cached answers, so a flood of distinct tokens cannot grow memory without limit. */
export const MAX_CACHED_ANSWERS = 100_000;

interface CachedAnswer {
  revoked: boolean;
  /** Clock milliseconds. */
  until: number;
}

/**
 * Revocation from the database, one query per token per few seconds at most: "not revoked" is
 * cached for NOT_REVOKED_CACHE_MS, "revoked" until the token expires. A jti with no row is revoked:
 * every issued token is recorded before it is returned.
 */
@Injectable()
export class DatabaseRevocationChecker extends RevocationChecker {
  private readonly cache = new Map<string, CachedAnswer>();
  private readonly inFlight = new Map<string, Promise<boolean>>();
  /** Bumped by every invalidation: a lookup begun before it must not cache "not revoked". */
  private generation = 0;

  constructor(
    private readonly repo: AccessTokenRevocationRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async isRevoked(jti: string, expiresAt?: number): Promise<boolean> {
    const hit = this.cache.get(jti);
    if (hit && hit.until > this.clock.now().getTime()) return hit.revoked;
    if (hit) this.cache.delete(jti);
    let pending = this.inFlight.get(jti);
    if (!pending) {
      const lookup = this.lookup(jti, expiresAt).finally(() => {
        if (this.inFlight.get(jti) === lookup) this.inFlight.delete(jti);
      });
      this.inFlight.set(jti, lookup);
      pending = lookup;
    }
    return pending;
  }

  markRevoked(jti: string, expiresAt?: number): void {
    this.generation++;
    this.inFlight.delete(jti);
    const until =
      expiresAt !== undefined
        ? expiresAt * 1000
        : this.clock.in(this.config.ttl.accessToken).getTime();
    this.remember(jti, { revoked: true, until });
  }

  invalidate(jti: string): void {
    this.generation++;
    this.inFlight.delete(jti);
    this.cache.delete(jti);
  }

  invalidateAll(): void {
    this.generation++;
    this.inFlight.clear();
    for (const [jti, answer] of this.cache) if (!answer.revoked) this.cache.delete(jti);
  }

  private async lookup(jti: string, expiresAt: number | undefined): Promise<boolean> {
    const generation = this.generation;
    const state = await this.repo.findRevocationState(jti);
    const now = this.clock.now().getTime();
    if (!state || state.revoked) {
      const until =
        expiresAt !== undefined
          ? expiresAt * 1000
          : (state?.expiresAt.getTime() ?? now + NOT_REVOKED_CACHE_MS);
      this.remember(jti, { revoked: true, until });
      return true;
    }
    if (generation === this.generation)
      this.remember(jti, { revoked: false, until: now + NOT_REVOKED_CACHE_MS });
    return false;
  }

  private remember(jti: string, answer: CachedAnswer): void {
    if (this.cache.size >= MAX_CACHED_ANSWERS) this.evict();
    this.cache.delete(jti); // re-insert at the end: Map order is the eviction order
    this.cache.set(jti, answer);
  }

  private evict(): void {
    const now = this.clock.now().getTime();
    for (const [jti, answer] of this.cache) if (answer.until <= now) this.cache.delete(jti);
    // Still full: drop the oldest tenth. Losing an answer only costs a query later.
    let excess = this.cache.size - Math.floor(MAX_CACHED_ANSWERS * 0.9);
    for (const jti of this.cache.keys()) {
      if (excess-- <= 0) break;
      this.cache.delete(jti);
    }
  }
}
