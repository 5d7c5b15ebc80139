import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { errorSummary } from 'src/common/error-summary';
import { AppConfig } from 'src/config/app-config';
import { DcrClientExpiryJob } from './dcr-client-expiry.job';
import { KeyRotationJob } from './key-rotation.job';
import { PurgeExpiredJob } from './purge-expired.job';

export type MaintenanceJobName = 'purge-expired' | 'rotate-signing-keys' | 'expire-dcr-clients';

const MINUTE_MS = 60_000;
/** How often each job runs, and its first run after start-up. */
export const MAINTENANCE_SCHEDULE: Record<
  MaintenanceJobName,
  { everyMs: number; firstMs: number }
> = {
  'purge-expired': { everyMs: 10 * MINUTE_MS, firstMs: 2 * MINUTE_MS },
  // Checks only; a rotation happens every KEY_ROTATION_INTERVAL_HOURS.
  'rotate-signing-keys': { everyMs: 10 * MINUTE_MS, firstMs: 1 * MINUTE_MS },
  'expire-dcr-clients': { everyMs: 60 * MINUTE_MS, firstMs: 5 * MINUTE_MS },
};

/**
 * Runs the maintenance jobs on timers (when MAINTENANCE_ENABLED), never two runs of one job at
 * once in this process; across instances each job is safe by itself (advisory locks, atomic key
 * rotation). On shutdown, running jobs stop after their current batch and are awaited.
 */
@Injectable()
export class MaintenanceScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MaintenanceScheduler.name);
  private readonly running = new Map<MaintenanceJobName, Promise<void>>();
  private stopping = false;

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
    private readonly purge: PurgeExpiredJob,
    private readonly keyRotation: KeyRotationJob,
    private readonly dcrExpiry: DcrClientExpiryJob,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.maintenance.enabled) {
      this.logger.log({ msg: 'scheduled maintenance is disabled (MAINTENANCE_ENABLED)' });
      return;
    }
    for (const [name, { everyMs, firstMs }] of Object.entries(MAINTENANCE_SCHEDULE)) {
      const job = name as MaintenanceJobName;
      this.registry.addTimeout(
        `${job}:first`,
        setTimeout(() => void this.run(job), firstMs),
      );
      this.registry.addInterval(
        job,
        setInterval(() => void this.run(job), everyMs),
      );
    }
  }

  /**
   * Runs `job` now unless it is already running here or the application is stopping. Never
   * rejects: a failed run is logged and the next one tries again.
   */
  run(job: MaintenanceJobName): Promise<void> {
    if (this.stopping) return Promise.resolve();
    const current = this.running.get(job);
    if (current) return current;
    const shouldStop = () => this.stopping;
    const work = async (): Promise<unknown> => {
      switch (job) {
        case 'purge-expired':
          return this.purge.run(shouldStop);
        case 'rotate-signing-keys':
          return this.keyRotation.run();
        case 'expire-dcr-clients':
          return this.dcrExpiry.run(shouldStop);
      }
    };
    const run = work()
      .then(
        () => undefined,
        (err: unknown) =>
          this.logger.error({ msg: 'maintenance job failed', job, error: errorSummary(err) }),
      )
      .finally(() => this.running.delete(job));
    this.running.set(job, run);
    return run;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running.values());
  }
}
