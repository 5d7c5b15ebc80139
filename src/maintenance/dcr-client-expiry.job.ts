import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from 'src/audit/audit.service';
import { ClientDeletion } from 'src/clients/client-deletion.service';
import { Clock } from 'src/common/clock';
import { AppConfig } from 'src/config/app-config';
import { BatchLoopOptions, deleteInBatches, sleep } from './batched-delete';
import { PURGE_BATCH_SIZE, PURGE_PAUSE_MS } from './purge-expired.job';

const DAY_MS = 86_400_000;

/**
 * Deletes dynamically registered clients (RFC 7591) not used for DCR_CLIENT_TTL_DAYS: open
 * registration would otherwise grow oauth_clients without bound. ClientDeletion deletes them as
 * an administrator's delete does: tokens revoked and broadcast first, then the row (grants, tokens
 * and consents cascade) and the client-change notice. This job keeps the loop and the audit.
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
    private readonly deletion: ClientDeletion,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  /** Returns how many clients were deleted. */
  async run(shouldStop: () => boolean = () => false): Promise<number> {
    const ttlMs = this.config.maintenance.dcrClientTtlDays * DAY_MS;
    const cutoff = new Date(this.clock.now().getTime() - ttlMs);
    const { deleted } = await deleteInBatches(
      async (limit) => {
        // The clients module's one delete path: the revocation hook tells every instance's
        // revocation cache, the client-change notice every instance's client cache.
        const ids = await this.deletion.deleteUnusedDcr(cutoff, limit);
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
