import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from 'src/audit/audit.service';
import { ClientChangeNotices } from 'src/clients/client-change-notices';
import { Clock } from 'src/common/clock';
import { AppConfig } from 'src/config/app-config';
import { BatchLoopOptions, deleteInBatches, sleep } from './batched-delete';
import { MaintenanceRepository } from './maintenance.repository';
import { PURGE_BATCH_SIZE, PURGE_PAUSE_MS } from './purge-expired.job';

const DAY_MS = 86_400_000;

/**
 * Deletes dynamically registered clients (RFC 7591) not used for DCR_CLIENT_TTL_DAYS: open
 * registration would otherwise grow oauth_clients without bound. Their grants, tokens and
 * consents go with them (ON DELETE CASCADE).
 */
@Injectable()
export class DcrClientExpiryJob {
  private readonly logger = new Logger(DcrClientExpiryJob.name);
  /** Overridable by tests. */
  loop: Pick<BatchLoopOptions, 'batchSize' | 'pauseMs' | 'sleep'> = {
    batchSize: PURGE_BATCH_SIZE,
    pauseMs: PURGE_PAUSE_MS,
    sleep,
  };

  constructor(
    private readonly repo: MaintenanceRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly clientChanges: ClientChangeNotices,
  ) {}

  /** Returns how many clients were deleted. */
  async run(shouldStop: () => boolean = () => false): Promise<number> {
    const ttlMs = this.config.maintenance.dcrClientTtlDays * DAY_MS;
    const cutoff = new Date(this.clock.now().getTime() - ttlMs);
    const { deleted } = await deleteInBatches(
      async (limit) => {
        const ids = await this.repo.deleteUnusedDcrClients(cutoff, limit);
        // No instance may keep serving a deleted client from its cache.
        if (ids?.length) await this.clientChanges.changed(ids);
        for (const clientId of ids ?? []) {
          this.audit.record({
            type: 'client.deleted',
            outcome: 'success',
            clientId,
            details: { reason: 'unused_dcr_client' },
          });
        }
        return ids === null ? null : ids.length;
      },
      { ...this.loop, shouldStop },
    );
    if (deleted > 0)
      this.logger.log({ msg: 'deleted unused dynamically registered clients', count: deleted });
    return deleted;
  }
}
