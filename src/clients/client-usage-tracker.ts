import { Injectable, Logger } from '@nestjs/common';
import { BoundedCache } from 'src/common/bounded-cache';
import { Clock } from 'src/common/clock';
import { ClientsRepository } from './clients.repository';

/** last_used_at is written at most this often per client (per instance). */
export const LAST_USED_WRITE_INTERVAL_MS = 60_000;
const MAX_TRACKED_CLIENTS = 10_000;

/**
 * Records that a client authenticated (oauth_clients.last_used_at, which the cleanup of unused
 * dynamically registered clients reads) without a write per request: at most one UPDATE per
 * client per minute. A failed write is logged, never fails the request.
 */
@Injectable()
export class ClientUsageTracker {
  private readonly logger = new Logger(ClientUsageTracker.name);
  /** Clients written recently (value unused): an entry lives LAST_USED_WRITE_INTERVAL_MS. */
  private readonly recentlyWritten = new BoundedCache<string, true>(MAX_TRACKED_CLIENTS);

  constructor(
    private readonly clients: ClientsRepository,
    private readonly clock: Clock,
  ) {}

  async touch(clientId: string): Promise<void> {
    const now = this.clock.now();
    if (this.recentlyWritten.get(clientId, now.getTime())) return;
    this.recentlyWritten.set(clientId, true, now.getTime() + LAST_USED_WRITE_INTERVAL_MS);
    try {
      await this.clients.touchLastUsed(clientId, now);
    } catch (err) {
      this.recentlyWritten.delete(clientId);
      this.logger.warn({ msg: 'last_used_at not recorded', clientId, error: (err as Error)?.name });
    }
  }
}
