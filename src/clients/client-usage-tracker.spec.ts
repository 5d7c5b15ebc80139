import { Logger } from '@nestjs/common';
import { ClientUsageTracker, LAST_USED_WRITE_INTERVAL_MS } from './client-usage-tracker';
import { ClientsRepository } from './clients.repository';
import { Clock } from 'src/common/clock';

class TestClock extends Clock {
  at = new Date('2030-01-01T00:00:00Z');
  now(): Date {
    return this.at;
  }
}

describe(ClientUsageTracker.name, () => {
  const clock = new TestClock();
  const touchLastUsed = jest.fn().mockResolvedValue(undefined);
  const sut = new ClientUsageTracker({ touchLastUsed } as unknown as ClientsRepository, clock);

  it('should write last_used_at at most once a minute per client', async () => {
    await sut.touch('a');
    await sut.touch('a');
    await sut.touch('b');
    expect(touchLastUsed.mock.calls.map(([id]) => id)).toEqual(['a', 'b']);
    clock.at = new Date(clock.at.getTime() + LAST_USED_WRITE_INTERVAL_MS);
    await sut.touch('a');
    expect(touchLastUsed).toHaveBeenLastCalledWith('a', clock.at);
    expect(touchLastUsed).toHaveBeenCalledTimes(3);
  });

  it('should swallow a failed write and try again next time', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    touchLastUsed.mockRejectedValueOnce(new Error('db down'));
    await expect(sut.touch('c')).resolves.toBeUndefined();
    await sut.touch('c');
    expect(touchLastUsed.mock.calls.filter(([id]) => id === 'c')).toHaveLength(2);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ msg: 'last_used_at not recorded', clientId: 'c' }),
    );
    warn.mockRestore();
  });
});
