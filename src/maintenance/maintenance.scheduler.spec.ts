import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from 'src/config/app-config';
import type { DcrClientExpiryJob } from './dcr-client-expiry.job';
import type { KeyRotationJob } from './key-rotation.job';
import { MAINTENANCE_SCHEDULE, MaintenanceScheduler } from './maintenance.scheduler';
import type { PurgeExpiredJob } from './purge-expired.job';

describe(MaintenanceScheduler.name, () => {
  let registry: SchedulerRegistry;
  let purge: { run: jest.Mock };
  let keyRotation: { run: jest.Mock };
  let dcr: { run: jest.Mock };

  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(true));

  beforeEach(() => {
    jest.useFakeTimers();
    registry = new SchedulerRegistry();
    purge = { run: jest.fn(async () => ({})) };
    keyRotation = { run: jest.fn(async () => ({ action: 'none' })) };
    dcr = { run: jest.fn(async () => 0) };
  });
  afterEach(() => {
    for (const name of registry.getIntervals()) registry.deleteInterval(name);
    for (const name of registry.getTimeouts()) registry.deleteTimeout(name);
    jest.useRealTimers();
  });

  const scheduler = (enabled: boolean) =>
    new MaintenanceScheduler(
      registry,
      { maintenance: { enabled } } as AppConfig,
      purge as unknown as PurgeExpiredJob,
      keyRotation as unknown as KeyRotationJob,
      dcr as unknown as DcrClientExpiryJob,
    );

  it('should schedule nothing when disabled', async () => {
    scheduler(false).onApplicationBootstrap();
    expect(registry.getIntervals()).toEqual([]);
    await jest.advanceTimersByTimeAsync(24 * 3600_000);
    expect(purge.run).not.toHaveBeenCalled();
  });

  it('should run each job first soon after start, then on its interval', async () => {
    scheduler(true).onApplicationBootstrap();
    expect(registry.getIntervals().sort()).toEqual(
      ['expire-dcr-clients', 'purge-expired', 'rotate-signing-keys'].sort(),
    );
    const purgeAt = MAINTENANCE_SCHEDULE['purge-expired'];
    await jest.advanceTimersByTimeAsync(purgeAt.firstMs);
    expect(purge.run).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(purgeAt.everyMs - purgeAt.firstMs);
    expect(purge.run).toHaveBeenCalledTimes(2);
    expect(keyRotation.run).toHaveBeenCalled();
    expect(dcr.run).toHaveBeenCalled();
  });

  it('should not start a job again while it is still running', async () => {
    let finish!: () => void;
    purge.run.mockImplementationOnce(() => new Promise<void>((resolve) => (finish = resolve)));
    const sut = scheduler(true);
    const first = sut.run('purge-expired');
    const second = sut.run('purge-expired');
    expect(second).toBe(first);
    expect(purge.run).toHaveBeenCalledTimes(1);
    finish();
    await first;
    await sut.run('purge-expired');
    expect(purge.run).toHaveBeenCalledTimes(2);
  });

  it('should log a failed run and try again next time', async () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    purge.run.mockRejectedValueOnce(new Error('db down'));
    const sut = scheduler(true);
    await expect(sut.run('purge-expired')).resolves.toBeUndefined();
    expect(JSON.stringify(error.mock.calls[0])).toContain('db down');
    await sut.run('purge-expired');
    expect(purge.run).toHaveBeenCalledTimes(2);
    error.mockRestore();
  });

  it('should ask running jobs to stop on shutdown, wait for them, and start no more', async () => {
    let stopSeen = false;
    purge.run.mockImplementation(async (shouldStop: () => boolean) => {
      while (!shouldStop()) await new Promise((r) => setTimeout(r, 10));
      stopSeen = true;
    });
    const sut = scheduler(true);
    void sut.run('purge-expired');
    const shutdown = sut.beforeApplicationShutdown();
    await jest.advanceTimersByTimeAsync(20);
    await shutdown;
    expect(stopSeen).toBe(true);
    await sut.run('expire-dcr-clients');
    expect(dcr.run).not.toHaveBeenCalled();
  });
});
