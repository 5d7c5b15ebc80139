import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Clock } from 'src/common/clock';
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
/** Queue bound: beyond it the oldest events are dropped (counted and warned about). */
export const AUDIT_MAX_QUEUE = 10_000;
/** A batch is tried at most this many times (the first write and one retry). */
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
  private closed = false;
  private readonly observers: Array<(event: AuditRecord) => void> = [];

  constructor(
    private readonly repository: AuditEventsRepository,
    private readonly clock: Clock,
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

  private toRow(event: AuditRecord): NewAuditEvent {
    const details = safeDetails(event.details);
    let userId = event.userId ?? null;
    if (userId !== null && !isUuid(userId)) {
      // user_id is a uuid column: keep the value, but where it cannot break the batch.
      details.userId = truncate(userId, 128);
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
      details,
    };
  }

  private enforceBound(): void {
    const excess = this.queue.length - AUDIT_MAX_QUEUE;
    if (excess > 0)
      this.drop(this.queue.splice(0, excess).length, 'audit queue full, oldest dropped');
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
      if (ok) this.pump();
      else this.schedule(AUDIT_RETRY_DELAY_MS);
      return ok;
    };
    this.inFlight = run();
    return this.inFlight;
  }

  private requeue(batch: Pending[], err: unknown): void {
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

/** Redacted, JSON-safe, size-bounded copy of the caller's details. */
function safeDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!details || typeof details !== 'object') return {};
  try {
    // PostgreSQL text and jsonb refuse NUL; BigInt would make JSON.stringify throw.
    const json = JSON.stringify(redact(details), (_key, value: unknown) =>
      typeof value === 'bigint'
        ? value.toString()
        : typeof value === 'string'
          ? value.replace(/\0/g, '')
          : value,
    );
    if (json === undefined) return {};
    if (Buffer.byteLength(json) > MAX_DETAILS_BYTES) return { truncated: true };
    const parsed: unknown = JSON.parse(json);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return { unserializable: true };
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
