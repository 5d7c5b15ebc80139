import { Injectable, Logger } from '@nestjs/common';
import { Clock } from 'src/common/clock';
import { AppConfig } from 'src/config/app-config';
import { BatchLoopOptions, deleteInBatches, sleep } from './batched-delete';
import { PurgeTarget, PurgeTargets } from './purge-targets';

/** Rows per DELETE statement. */
export const PURGE_BATCH_SIZE = 1000;
/** Pause between two statements of one purge. */
export const PURGE_PAUSE_MS = 50;
/** Consumed codes outlive their expiry this long, for replay detection. */
export const CONSUMED_CODE_RETENTION_SECONDS = 3600;

const DAY_MS = 86_400_000;

export type PurgeReport = Partial<Record<PurgeTarget, number>>;

/**
 * Deletes expired codes, tokens, grants and browser sessions, and audit events past retention, in
 * bounded batches, through each table's owner (PurgeTargets); this job keeps the order, the
 * cutoffs, the batching loop, its pauses and the log line.
 */
@Injectable()
export class PurgeExpiredJob {
  private readonly logger = new Logger(PurgeExpiredJob.name);
  /** Overridable by tests. */
  loop: Pick<BatchLoopOptions, 'batchSize' | 'pauseMs' | 'sleep'> = {
    batchSize: PURGE_BATCH_SIZE,
    pauseMs: PURGE_PAUSE_MS,
    sleep,
  };

  constructor(
    private readonly repo: PurgeTargets,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** One full purge; returns the rows deleted per target (targets another instance had: absent). */
  async run(shouldStop: () => boolean = () => false): Promise<PurgeReport> {
    const now = this.clock.now();
    const retention = new Date(now.getTime() - this.config.maintenance.auditRetentionDays * DAY_MS);
    const replayCutoff = new Date(now.getTime() - CONSUMED_CODE_RETENTION_SECONDS * 1000);
    const targets: Array<[PurgeTarget, Date]> = [
      ['access_tokens', now],
      ['refresh_tokens', now],
      ['authorization_codes', now],
      ['grants', now],
      ['audit_events', retention],
      ['browser_sessions', now],
    ];
    const report: PurgeReport = {};
    for (const [target, cutoff] of targets) {
      const result = await deleteInBatches(
        (limit) => this.repo.deleteBatch(target, cutoff, limit, replayCutoff),
        { ...this.loop, shouldStop },
      );
      if (result.interrupted !== 'locked' || result.deleted > 0) report[target] = result.deleted;
      if (result.interrupted === 'stopping') break;
    }
    const total = Object.values(report).reduce((a, b) => a + (b ?? 0), 0);
    if (total > 0) this.logger.log({ msg: 'purged expired rows', ...report });
    return report;
  }
}
