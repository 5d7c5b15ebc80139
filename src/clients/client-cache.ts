import { Injectable } from '@nestjs/common';
import { BoundedCache } from 'src/common/bounded-cache';
import { Clock } from 'src/common/clock';
import type { OAuthClient } from './oauth-client.entity';

/**
 * A cached record is trusted at most this long even if no change notice arrives (a notice lost
 * while the broadcast was down); every change made through ClientsRepository drops it at once,
 * here and (through the broadcast) on every other instance (docs/performance.md).
 */
export const CLIENT_CACHE_TTL_MS = 60_000;
/** Bound on cached clients; the least recently used go first (src/common/bounded-cache.ts). */
export const CLIENT_CACHE_MAX = 10_000;

/**
 * Stored client records for the protocol endpoints, so a token, introspection or authorization
 * request reads no oauth_clients row in steady state. Unknown client ids are not cached (a new
 * client is usable on its first request). Concurrent misses for one id share one query, and a
 * lookup that started before an invalidation never stores what it read.
 */
@Injectable()
export class ClientCache {
  private readonly entries = new BoundedCache<string, OAuthClient>(CLIENT_CACHE_MAX);
  private readonly inFlight = new Map<string, Promise<OAuthClient | null>>();
  private generation = 0;

  constructor(private readonly clock: Clock) {}

  get(clientId: string, load: (clientId: string) => Promise<OAuthClient | null>): Promise<OAuthClient | null> {
    const hit = this.entries.get(clientId, this.clock.now().getTime());
    if (hit) return Promise.resolve(hit);
    let pending = this.inFlight.get(clientId);
    if (!pending) {
      const generation = this.generation;
      const lookup = load(clientId)
        .then((client) => {
          if (client && generation === this.generation) this.store(clientId, client);
          return client;
        })
        .finally(() => {
          if (this.inFlight.get(clientId) === lookup) this.inFlight.delete(clientId);
        });
      this.inFlight.set(clientId, lookup);
      pending = lookup;
    }
    return pending;
  }

  /** Forgets one client (it was changed or deleted); the next request reads it again. */
  forget(clientId: string): void {
    this.generation++;
    this.inFlight.delete(clientId);
    this.entries.delete(clientId);
  }

  /** Forgets every client (a missed notice cannot be told apart from none). */
  forgetAll(): void {
    this.generation++;
    this.inFlight.clear();
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private store(clientId: string, client: OAuthClient): void {
    this.entries.set(clientId, client, this.clock.now().getTime() + CLIENT_CACHE_TTL_MS);
  }
}
