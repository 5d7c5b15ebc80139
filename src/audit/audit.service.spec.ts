import { Logger } from '@nestjs/common';
import { Clock } from 'src/common/clock';
import { REDACTED } from 'src/common/redact';
import { requestContext } from 'src/common/request-context';
import { AuditRecord } from './audit-event-types';
import { AuditEventsRepository, NewAuditEvent } from './audit-events.repository';
import { AUDIT_BATCH_SIZE, AUDIT_MAX_QUEUE, AuditService } from './audit.service';
import type { DatabaseAvailability } from 'src/database/database-availability';

class FixedClock extends Clock {
  constructor(private readonly at = new Date('2025-06-01T12:00:00.000Z')) {
    super();
  }
  now(): Date {
    return new Date(this.at);
  }
}

/** Records every insertMany call; can be told to fail or to hang. */
class FakeAuditEventsRepository {
  readonly batches: NewAuditEvent[][] = [];
  failures = 0;
  /** SQLSTATE of the failures: 08006 (connection failure, an outage) or a data error. */
  failureCode = '08006';
  hang: Promise<void> | null = null;

  async insertMany(rows: readonly NewAuditEvent[]): Promise<void> {
    if (this.hang) await this.hang;
    if (this.failures > 0) {
      this.failures--;
      throw Object.assign(new Error('insert failed: value "mcprt_secretvalue123" rejected'), {
        code: this.failureCode,
      });
    }
    this.batches.push([...rows]);
  }

  /** Every row written, its details parsed back from the JSON text that went to the database. */
  get rows(): (NewAuditEvent & { details: Record<string, unknown> })[] {
    return this.batches.flat().map((r) => ({ ...r, details: JSON.parse(r.detailsJson) as Record<string, unknown> }));
  }
}

const event = (overrides: Partial<AuditRecord> = {}): AuditRecord => ({
  type: 'token.issued',
  outcome: 'success',
  clientId: 'client-1',
  ...overrides,
});

describe(AuditService.name, () => {
  let repo: FakeAuditEventsRepository;
  let sut: AuditService;
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    repo = new FakeAuditEventsRepository();
    sut = new AuditService(repo as unknown as AuditEventsRepository, new FixedClock());
  });

  afterEach(async () => {
    repo.hang = null;
    repo.failures = 0;
    await sut.onApplicationShutdown();
    jest.useRealTimers();
    warn.mockRestore();
  });

  it('should write a full batch of 100 events in one insert without waiting for the timer', async () => {
    for (let i = 0; i < AUDIT_BATCH_SIZE; i++) sut.record(event({ details: { i } }));
    await Promise.resolve();
    await sut.flush();
    expect(repo.batches).toHaveLength(1);
    expect(repo.batches[0]).toHaveLength(AUDIT_BATCH_SIZE);
    expect(repo.batches[0].map((r) => JSON.parse(r.detailsJson).i)).toEqual([...Array(AUDIT_BATCH_SIZE).keys()]);
  });

  it('should write a partial batch when the flush interval elapses', async () => {
    jest.useFakeTimers();
    sut.record(event());
    sut.record(event({ type: 'token.revoked' }));
    expect(repo.batches).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(250);
    expect(repo.batches).toHaveLength(1);
    expect(repo.batches[0].map((r) => r.type)).toEqual(['token.issued', 'token.revoked']);
  });

  it('should never let a refresh_token, password or token-looking value reach the repository', async () => {
    sut.record(
      event({
        details: {
          refresh_token: 'mcprt_abcdefghijklmnopqrstuvwxyz',
          nested: { password: 'hunter2', note: 'used Bearer abc.def.ghi' },
          scope: 'read',
        },
      }),
    );
    await sut.flush();
    const [row] = repo.rows;
    expect(row.details).toEqual({
      refresh_token: REDACTED,
      nested: { password: REDACTED, note: `used Bearer ${REDACTED}` },
      scope: 'read',
    });
    expect(JSON.stringify(repo.rows)).not.toMatch(/hunter2|mcprt_abc|abc\.def/);
  });

  it('should fill the request id from the request context when absent and keep an explicit one', async () => {
    requestContext.run({ requestId: 'req-from-context' }, () => {
      sut.record(event());
      sut.record(event({ requestId: 'req-explicit' }));
    });
    await sut.flush();
    expect(repo.rows.map((r) => r.requestId)).toEqual(['req-from-context', 'req-explicit']);
  });

  it('should stamp the event time when recorded and fit values to the columns', async () => {
    sut.record(event({ userAgent: 'x'.repeat(2000), userId: 'not-a-uuid', outcome: 'failure' }));
    await sut.flush();
    const [row] = repo.rows;
    expect(row.at).toEqual(new Date('2025-06-01T12:00:00.000Z'));
    expect(row.userAgent).toHaveLength(512);
    expect(row.userId).toBeNull();
    expect(row.details.userId).toBe('not-a-uuid');
    expect(row.outcome).toBe('failure');
  });

  it('should write every acknowledged event on shutdown', async () => {
    for (let i = 0; i < 250; i++) sut.record(event());
    await sut.beforeApplicationShutdown();
    expect(repo.rows).toHaveLength(250);
    expect(repo.batches.map((b) => b.length)).toEqual([100, 100, 50]);
  });

  it('should keep a batch whose insert failed once and write it on the retry', async () => {
    jest.useFakeTimers();
    repo.failureCode = '23514';
    repo.failures = 1;
    sut.record(event({ details: { n: 1 } }));
    await jest.advanceTimersByTimeAsync(250);
    expect(repo.batches).toHaveLength(0);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ msg: 'audit batch insert failed', retrying: 1 }),
    );
    await jest.advanceTimersByTimeAsync(1500);
    expect(repo.rows.map((r) => r.details.n)).toEqual([1]);
    expect(sut.stats()).toEqual({ queued: 0, dropped: 0 });
  });

  it('should drop a batch the database rejects twice, count it and never log its contents', async () => {
    repo.failureCode = '22P02';
    repo.failures = 2;
    sut.record(event({ details: { note: 'secret-ish' } }));
    await sut.flush();
    expect(repo.rows).toHaveLength(0);
    expect(sut.stats()).toEqual({ queued: 0, dropped: 1 });
    const logged = JSON.stringify(warn.mock.calls);
    expect(logged).not.toMatch(/mcprt_|secret-ish|rejected/);
    expect(logged).toContain('22P02');
  });

  it('should keep events through a database outage, however many tries, and write them when it is back', async () => {
    jest.useFakeTimers();
    const report = jest.fn().mockReturnValue(true);
    sut = new AuditService(repo as unknown as AuditEventsRepository, new FixedClock(), {
      report,
    } as unknown as DatabaseAvailability);
    repo.failures = 6;
    sut.record(event({ details: { n: 1 } }));
    sut.record(event({ details: { n: 2 } }));
    // 6 failed tries with back-off 1 s, 2 s, 4 s, 5 s, 5 s: the events are still queued after 17 s.
    await jest.advanceTimersByTimeAsync(17_500);
    expect(repo.rows).toHaveLength(0);
    expect(sut.stats()).toEqual({ queued: 2, dropped: 0 });
    expect(report).toHaveBeenCalledTimes(6);
    // The outage is logged by DatabaseAvailability, not once per retry here.
    expect(warn).not.toHaveBeenCalledWith(
      expect.objectContaining({ msg: 'audit batch insert failed' }),
    );
    await jest.advanceTimersByTimeAsync(5_000);
    expect(repo.rows.map((r) => r.details.n)).toEqual([1, 2]);
    expect(sut.stats()).toEqual({ queued: 0, dropped: 0 });
  });

  it('should log an overflow of the queue bound once and count every dropped event', async () => {
    let release!: () => void;
    repo.hang = new Promise<void>((resolve) => (release = resolve));
    for (let i = 0; i < AUDIT_BATCH_SIZE + AUDIT_MAX_QUEUE + 3; i++) sut.record(event());
    for (let i = 0; i < 7; i++) sut.record(event());
    expect(sut.stats()).toEqual({ queued: AUDIT_MAX_QUEUE, dropped: 10 });
    const drops = warn.mock.calls.filter(
      ([arg]) => (arg as { msg?: string }).msg === 'audit events dropped',
    );
    expect(drops).toHaveLength(1);
    expect(sut.queueLength).toBe(AUDIT_MAX_QUEUE);
    release();
    repo.hang = null;
    await sut.flush();
    expect(sut.stats()).toEqual({ queued: 0, dropped: 10 });
  });

  it('should bound the queue by dropping the oldest events', async () => {
    let release!: () => void;
    repo.hang = new Promise<void>((resolve) => (release = resolve));
    // The first full batch is in flight (hanging); everything after it queues.
    for (let i = 0; i < AUDIT_BATCH_SIZE + AUDIT_MAX_QUEUE + 5; i++)
      sut.record(event({ details: { i } }));
    expect(sut.stats()).toEqual({ queued: AUDIT_MAX_QUEUE, dropped: 5 });
    release();
    repo.hang = null;
    await sut.flush();
    const written = repo.rows.map((r) => r.details.i as number);
    expect(written).toHaveLength(AUDIT_BATCH_SIZE + AUDIT_MAX_QUEUE);
    expect(written.slice(AUDIT_BATCH_SIZE, AUDIT_BATCH_SIZE + 2)).toEqual([
      AUDIT_BATCH_SIZE + 5,
      AUDIT_BATCH_SIZE + 6,
    ]);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ msg: 'audit events dropped' }));
  });

  it('should never throw from record, whatever it is given', async () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    const hostile = {
      get type(): never {
        throw new Error('boom');
      },
    } as unknown as AuditRecord;
    expect(() => sut.record(hostile)).not.toThrow();
    expect(() => sut.record(event({ details: circular }))).not.toThrow();
    expect(() => sut.record(event({ details: { big: BigInt(1), nul: 'a\u0000b' } }))).not.toThrow();
    expect(() => sut.record(null as unknown as AuditRecord)).not.toThrow();
    repo.failures = 5;
    expect(() => sut.record(event())).not.toThrow();
    await expect(sut.flush()).resolves.toBeUndefined();
  });

  it('should store JSON-safe details', async () => {
    sut.record(event({ details: { big: BigInt(7), nul: 'a\u0000b' } }));
    await sut.flush();
    expect(repo.rows[0].details).toEqual({ big: '7', nul: 'ab' });
  });

  it('should not keep the process alive with its timer', () => {
    const unref = jest.fn();
    const spy = jest
      .spyOn(global, 'setTimeout')
      .mockReturnValue({ unref } as unknown as NodeJS.Timeout);
    sut.record(event());
    spy.mockRestore();
    expect(unref).toHaveBeenCalled();
  });

  it('should drop events recorded after shutdown instead of queueing them', async () => {
    await sut.onApplicationShutdown();
    sut.record(event());
    expect(sut.stats()).toEqual({ queued: 0, dropped: 1 });
  });
});
