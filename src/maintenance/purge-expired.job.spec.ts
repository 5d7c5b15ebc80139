import { Logger } from '@nestjs/common';
import { AppConfig } from 'src/config/app-config';
import { FixedClock } from '../../test/fakes/fixed-clock';
import type { PurgeTarget, PurgeTargets } from './purge-targets';
import { CONSUMED_CODE_RETENTION_SECONDS, PurgeExpiredJob } from './purge-expired.job';

const config = { maintenance: { auditRetentionDays: 90 } } as AppConfig;

describe(PurgeExpiredJob.name, () => {
  let clock: FixedClock;
  let due: Record<string, number>;
  let locked: Set<string>;
  let calls: Array<{ target: PurgeTarget; cutoff: Date; limit: number; replayCutoff?: Date }>;
  let sut: PurgeExpiredJob;

  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(true));

  beforeEach(() => {
    clock = new FixedClock('2026-03-01T00:00:00Z');
    due = {
      access_tokens: 2500,
      refresh_tokens: 10,
      authorization_codes: 0,
      grants: 3,
      audit_events: 1,
      browser_sessions: 4,
    };
    locked = new Set();
    calls = [];
    const repo = {
      deleteBatch: jest.fn(
        async (target: PurgeTarget, cutoff: Date, limit: number, replayCutoff?: Date) => {
          calls.push({ target, cutoff, limit, replayCutoff });
          if (locked.has(target)) return null;
          const n = Math.min(limit, due[target]);
          due[target] -= n;
          return n;
        },
      ),
    };
    sut = new PurgeExpiredJob(repo as unknown as PurgeTargets, clock, config);
    sut.loop = { batchSize: 1000, pauseMs: 0, sleep: async () => undefined };
  });

  it('should purge every target in order, in batches, and report the counts', async () => {
    expect(await sut.run()).toEqual({
      access_tokens: 2500,
      refresh_tokens: 10,
      authorization_codes: 0,
      grants: 3,
      audit_events: 1,
      browser_sessions: 4,
    });
    expect(calls.map((c) => c.target)).toEqual([
      'access_tokens',
      'access_tokens',
      'access_tokens',
      'refresh_tokens',
      'authorization_codes',
      'grants',
      'audit_events',
      'browser_sessions',
    ]);
    expect(calls.every((c) => c.limit === 1000)).toBe(true);
  });

  it('should cut tokens at now, consumed codes an hour back and audit events at retention', async () => {
    await sut.run();
    const cutoff = (t: PurgeTarget) => calls.find((c) => c.target === t)!;
    const now = clock.now().getTime();
    expect(cutoff('access_tokens').cutoff.getTime()).toBe(now);
    expect(cutoff('grants').cutoff.getTime()).toBe(now);
    expect(cutoff('authorization_codes').replayCutoff!.getTime()).toBe(
      now - CONSUMED_CODE_RETENTION_SECONDS * 1000,
    );
    expect(cutoff('audit_events').cutoff.toISOString()).toBe('2025-12-01T00:00:00.000Z');
  });

  it('should skip a target another instance is purging and go on with the rest', async () => {
    locked.add('access_tokens');
    const report = await sut.run();
    expect(report.access_tokens).toBeUndefined();
    expect(report.refresh_tokens).toBe(10);
    expect(due.access_tokens).toBe(2500);
  });

  it('should stop at once when shutting down', async () => {
    expect(await sut.run(() => true)).toEqual({ access_tokens: 0 });
    expect(calls).toEqual([]);
  });
});
