import { Injectable } from '@nestjs/common';
import { BoundedCache } from 'src/common/bounded-cache';
import { Clock } from 'src/common/clock';
import { AppConfig } from 'src/config/app-config';
import { AccessTokenRevocationRepository } from './access-token-revocation.repository';
import { RevocationChecker } from './revocation-checker';

/** A "not revoked" answer is trusted this long; a revocation elsewhere shows within it at worst. */
export const NOT_REVOKED_CACHE_MS = 5_000;
/** Bound on cached answers, so a flood of distinct tokens cannot grow memory without limit. */
export const MAX_CACHED_ANSWERS = 100_000;

/**
 * Revocation from the database, one query per token per few seconds at most: "not revoked" is
 * cached for NOT_REVOKED_CACHE_MS, "revoked" until the token expires. A jti with no row is revoked:
 * every issued token is recorded before it is returned.
 */
@Injectable()
export class DatabaseRevocationChecker extends RevocationChecker {
  /** jti → revoked?, each answer until its own expiry (clock milliseconds). */
  private readonly cache = new BoundedCache<string, boolean>(MAX_CACHED_ANSWERS);
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
    const hit = this.cache.get(jti, this.clock.now().getTime());
    if (hit !== undefined) return hit;
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
    this.cache.set(jti, true, until);
  }

  invalidate(jti: string): void {
    this.generation++;
    this.inFlight.delete(jti);
    this.cache.delete(jti);
  }

  invalidateAll(): void {
    this.generation++;
    this.inFlight.clear();
    this.cache.deleteWhere((revoked) => !revoked);
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
      this.cache.set(jti, true, until);
      return true;
    }
    if (generation === this.generation) this.cache.set(jti, false, now + NOT_REVOKED_CACHE_MS);
    return false;
  }
}
