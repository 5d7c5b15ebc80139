import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isDatabaseUnavailable, unavailableCause } from './database-errors';

/** How often an outage is probed (`SELECT 1`) to notice that the database is back. */
export const OUTAGE_PROBE_INTERVAL_MS = 1000;
/** The Retry-After (seconds) of a 503 answered because the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export interface DatabaseOutageState {
  available: boolean;
  /** Start of the current outage, or null. */
  since: Date | null;
  /** Failures reported during the current outage. */
  failures: number;
  /** Outages since start-up (ended or not). */
  outages: number;
}

/**
 * Knows whether the database is reachable. Failures are reported by whoever meets them (the error
 * filter, the audit writer, readiness); the first one starts an outage and logs ONE line, a probe
 * then runs every second and the first success ends it with ONE line (with the downtime), instead
 * of a stack trace per request (README "Operations").
 */
@Injectable()
export class DatabaseAvailability implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private since: Date | null = null;
  private failures = 0;
  private outages = 0;
  private probeTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly dataSource: DataSource) {}

  /** Reports an error met while using the database; returns whether it was an availability error. */
  report(err: unknown): boolean {
    if (!isDatabaseUnavailable(err)) return false;
    this.failures++;
    if (this.since === null) {
      this.since = new Date();
      this.outages++;
      this.logger.warn({ msg: 'database unavailable', cause: unavailableCause(err) });
      this.scheduleProbe();
    }
    return true;
  }

  /** For metrics and health (small, cheap, no I/O). */
  state(): DatabaseOutageState {
    return {
      available: this.since === null,
      since: this.since,
      failures: this.failures,
      outages: this.outages,
    };
  }

  get available(): boolean {
    return this.since === null;
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = null;
  }

  private scheduleProbe(): void {
    if (this.stopped || this.probeTimer) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      void this.probe();
    }, OUTAGE_PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }

  private async probe(): Promise<void> {
    if (this.stopped || this.since === null) return;
    let ok = false;
    try {
      if (this.dataSource.isInitialized) {
        await this.dataSource.query('SELECT 1');
        ok = true;
      }
    } catch {
      ok = false;
    }
    if (ok && this.since !== null) {
      const downtimeMs = Date.now() - this.since.getTime();
      this.logger.warn({ msg: 'database available again', downtimeMs, failures: this.failures });
      this.since = null;
      this.failures = 0;
      return;
    }
    this.scheduleProbe();
  }
}
