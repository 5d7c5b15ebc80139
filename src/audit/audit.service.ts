import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { Clock } from 'src/common/clock';
import { DatabaseAvailability } from 'src/database/database-availability';
import { isDatabaseUnavailable } from 'src/database/database-errors';
import { redact } from 'src/common/redact';
import { currentRequestId } from 'src/common/request-context';
import { isUuid } from './audit-cursor';
import { AuditRecord } from './audit-event-types';
import {
  AuditEventsRepository,
  AuditPage,
  AuditQueryFilters,
  NewAuditEvent,
} from './audit-events.repository';

/** Events written per INSERT; reaching it triggers a write at once. */
export const AUDIT_BATCH_SIZE = 100;
export const AUDIT_FLUSH_INTERVAL_MS = 200;
export const AUDIT_RETRY_DELAY_MS = 1000;
/** While the database is unavailable, retries back off up to this. */
export const AUDIT_MAX_RETRY_DELAY_MS = 5000;
/** Queue bound: beyond it the oldest events are dropped (counted, logged once per overflow). */
export const AUDIT_MAX_QUEUE = 10_000;
/**
 * A batch the database REJECTS (bad data, not an outage) is tried at most this many times. A
 * batch that failed because the database is unavailable waits, however long, until it is back:
 * only the queue bound and the end of the process lose events.
 */
const MAX_ATTEMPTS = 2;
const MAX_DETAILS_BYTES = 8 * 1024;
const DROP_WARNING_INTERVAL_MS = 10_000;
// Column widths of audit_events: an over-long value would fail the whole batch.
const WIDTH = { ip: 64, userAgent: 512, requestId: 128, clientId: 2048 } as const;

interface Pending {
  row: NewAuditEvent;
  attempts: number;
}

/**
 * Buffered audit trail. `record()` is cheap and never throws on the request path; events are
 * written in batches by a background timer and flushed on a clean shutdown.
 */
@Injectable()
export class AuditService implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private queue: Pending[] = [];
  private inFlight: Promise<boolean> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private dropped = 0;
  private lastDropWarning = 0;
  /** Set by the first overflow drop; cleared once the queue is empty again. */
  private overflowing = false;
  private retryDelay = AUDIT_RETRY_DELAY_MS;
  private waitingForDatabase = false;
  private closed = false;
  private readonly observers: Array<(event: AuditRecord) => void> = [];

  constructor(
    private readonly repository: AuditEventsRepository,
    private readonly clock: Clock,
    @Optional() private readonly availability?: DatabaseAvailability,
  ) {}

  /**
   * Calls `observer` with every event recorded from now on, synchronously (keep it cheap; it must
   * not throw). The metrics follow the trail this way (src/observability).
   */
  observe(observer: (event: AuditRecord) => void): void {
    this.observers.push(observer);
  }

  /** Queues one event (details redacted). Never throws, never waits for the database. */
  record(event: AuditRecord): void {
    for (const observer of this.observers) {
      try {
        observer(event);
      } catch {
        // an observer (metrics) never costs an audit event
      }
    }
    try {
      if (this.closed) {
        this.drop(1, 'audit service is shut down');
        return;
      }
      this.queue.push({ row: this.toRow(event), attempts: 0 });
      this.enforceBound();
      this.pump();
    } catch (err) {
      this.logger.warn({ msg: 'audit event not recorded', error: errorName(err) });
    }
  }

  /** Writes everything queued so far (each batch one INSERT); resolves when done. Never rejects. */
  async flush(): Promise<void> {
    this.clearTimer();
    // Each event is tried at most MAX_ATTEMPTS times, so this budget always ends the loop even if
    // events keep arriving or the database is down.
    let budget = (Math.ceil(this.queue.length / AUDIT_BATCH_SIZE) + 1) * MAX_ATTEMPTS + 1;
    while (budget-- > 0 && (this.inFlight || this.queue.length > 0)) {
      await (this.inFlight ?? this.writeBatch());
    }
    if (this.inFlight) await this.inFlight;
  }

  /** The database is still open here: write everything that was acknowledged. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  /** Last chance for events recorded while the HTTP server drained; then stop. */
  async onApplicationShutdown(): Promise<void> {
    if (this.queue.length > 0) await this.flush();
    this.closed = true;
    this.clearTimer();
    if (this.queue.length > 0)
      this.drop(this.queue.splice(0).length, 'database closed before flush');
  }

  /** Admin API passthrough. @throws InvalidAuditCursorError for a bad cursor. */
  query(filters: AuditQueryFilters): Promise<AuditPage> {
    return this.repository.query(filters);
  }

  /** Queue depth and events lost so far (for metrics and health). */
  stats(): { queued: number; dropped: number } {
    return { queued: this.queue.length, dropped: this.dropped };
  }

  /** Queue depth alone (a metrics gauge). */
  get queueLength(): number {
    return this.queue.length;
  }

  private toRow(event: AuditRecord): NewAuditEvent {
    let detailsJson = safeDetailsJson(event.details);
    let userId = event.userId ?? null;
    if (userId !== null && !isUuid(userId)) {
      // user_id is a uuid column: keep the value, but where it cannot break the batch.
      detailsJson = JSON.stringify({ ...(JSON.parse(detailsJson) as object), userId: truncate(userId, 128) });
      userId = null;
    }
    return {
      at: this.clock.now(),
      type: event.type,
      outcome: event.outcome === 'success' ? 'success' : 'failure',
      userId,
      clientId: truncate(event.clientId, WIDTH.clientId),
      ip: truncate(event.ip, WIDTH.ip),
      userAgent: truncate(event.userAgent, WIDTH.userAgent),
      requestId: truncate(event.requestId ?? currentRequestId(), WIDTH.requestId),
      detailsJson,
    };
  }

  private enforceBound(): void {
    const excess = this.queue.length - AUDIT_MAX_QUEUE;
    if (excess <= 0) return;
    const count = this.queue.splice(0, excess).length;
    this.dropped += count;
    if (this.overflowing) return;
    this.overflowing = true;
    this.logger.warn({
      msg: 'audit events dropped',
      reason: `audit queue full (${AUDIT_MAX_QUEUE} events), oldest dropped; further drops are counted, not logged`,
      count,
      totalDropped: this.dropped,
    });
  }

  /** Starts a write when a batch is full, or arms the timer for a partial one. */
  private pump(): void {
    if (this.inFlight || this.closed || this.queue.length === 0) return;
    if (this.queue.length >= AUDIT_BATCH_SIZE) {
      this.clearTimer();
      void this.writeBatch();
    } else {
      this.schedule(AUDIT_FLUSH_INTERVAL_MS);
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.inFlight && this.queue.length > 0) void this.writeBatch();
    }, delayMs);
    // An idle audit queue must never keep the process alive.
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Writes one batch; on failure puts it back (once) and arms the retry timer. */
  private writeBatch(): Promise<boolean> {
    const batch = this.queue.splice(0, AUDIT_BATCH_SIZE);
    const run = async (): Promise<boolean> => {
      let ok = true;
      try {
        await this.repository.insertMany(batch.map((p) => p.row));
      } catch (err) {
        ok = false;
        this.requeue(batch, err);
      }
      this.inFlight = null;
      if (ok) {
        this.retryDelay = AUDIT_RETRY_DELAY_MS;
        this.waitingForDatabase = false;
        if (this.queue.length === 0) this.overflowing = false;
        this.pump();
      } else {
        this.schedule(this.retryDelay);
        if (this.waitingForDatabase)
          this.retryDelay = Math.min(this.retryDelay * 2, AUDIT_MAX_RETRY_DELAY_MS);
      }
      return ok;
    };
    this.inFlight = run();
    return this.inFlight;
  }

  private requeue(batch: Pending[], err: unknown): void {
    if (isDatabaseUnavailable(err)) {
      // An outage: keep every event, in order, and back off. Logged once per outage (not per retry).
      if (!this.availability?.report(err))
        this.logger.warn({
          msg: 'audit batch waits for the database',
          events: batch.length,
          error: errorName(err),
        });
      this.queue.unshift(...batch);
      this.waitingForDatabase = true;
      this.enforceBound();
      return;
    }
    this.waitingForDatabase = false;
    this.retryDelay = AUDIT_RETRY_DELAY_MS;
    const retry = batch.filter((p) => ++p.attempts < MAX_ATTEMPTS);
    // Only the error's name and SQLSTATE: a driver message may quote the values it rejected.
    this.logger.warn({
      msg: 'audit batch insert failed',
      events: batch.length,
      retrying: retry.length,
      error: errorName(err),
    });
    this.queue.unshift(...retry);
    if (retry.length < batch.length)
      this.drop(batch.length - retry.length, 'audit batch failed twice');
    this.enforceBound();
  }

  private drop(count: number, reason: string): void {
    this.dropped += count;
    const now = Date.now();
    if (now - this.lastDropWarning < DROP_WARNING_INTERVAL_MS) return;
    this.lastDropWarning = now;
    this.logger.warn({ msg: 'audit events dropped', reason, count, totalDropped: this.dropped });
  }
}

/**
 * The caller's details as the JSON text of an object: redacted, JSON-safe, size-bounded. Made once
 * on the request path and written as it is (no parse and second stringify).
 */
function safeDetailsJson(details: Record<string, unknown> | undefined): string {
  if (!details || typeof details !== 'object' || Array.isArray(details)) return '{}';
  try {
    // PostgreSQL text and jsonb refuse NUL; BigInt would make JSON.stringify throw.
    const json = JSON.stringify(redact(details), (_key, value: unknown) =>
      typeof value === 'bigint'
        ? value.toString()
        : typeof value === 'string'
          ? value.replace(/\0/g, '')
          : value,
    );
    // A details object whose toJSON returns something else than an object is not kept.
    if (json === undefined || json[0] !== '{') return '{}';
    return Buffer.byteLength(json) > MAX_DETAILS_BYTES ? '{"truncated":true}' : json;
  } catch {
    return '{"unserializable":true}';
  }
}

function truncate(value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  const clean = String(value).replace(/\0/g, '');
  return clean.length > max ? clean.slice(0, max) : clean;
}

function errorName(err: unknown): string {
  if (err && typeof err === 'object') {
    const { code, name } = err as { code?: unknown; name?: unknown };
    if (typeof code === 'string') return `${typeof name === 'string' ? name : 'Error'} ${code}`;
    if (typeof name === 'string') return name;
  }
  return 'unknown';
}
