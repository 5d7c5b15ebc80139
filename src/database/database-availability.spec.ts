import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DatabaseAvailability, OUTAGE_PROBE_INTERVAL_MS } from './database-availability';
import { DataDirectoryLockedError, isDatabaseUnavailable } from './database-errors';

describe('isDatabaseUnavailable', () => {
  it.each([
    ['ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['ECONNRESET', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['connection lost', new Error('Connection terminated unexpectedly')],
    ['connect timeout', new Error('Connection terminated due to connection timeout')],
    ['pool acquire timeout', new Error('timeout exceeded when trying to connect')],
    ['client query timeout', new Error('Query read timeout')],
    [
      'statement_timeout (57014)',
      Object.assign(new Error('canceling statement'), { driverError: { code: '57014' } }),
    ],
    [
      'admin shutdown (57P01)',
      Object.assign(new Error('terminating connection'), { code: '57P01' }),
    ],
    ['too many connections (53300)', Object.assign(new Error('sorry'), { code: '53300' })],
    ['connection exception class 08', Object.assign(new Error('x'), { code: '08006' })],
    [
      'net AggregateError',
      Object.assign(
        new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]),
        {},
      ),
    ],
    ['PGlite lock', new DataDirectoryLockedError('held')],
  ])('should recognise %s', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ['unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['syntax error', Object.assign(new Error('syntax error'), { code: '42601' })],
    [
      'a message that merely mentions ECONNREFUSED',
      new Error('connect ECONNREFUSED 127.0.0.1:5432'),
    ],
    ['a TypeError', new TypeError('x is undefined')],
    ['null', null],
    ['a string', 'ECONNREFUSED'],
  ])('should not take %s for an outage', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});

describe(DatabaseAvailability.name, () => {
  let warn: jest.SpyInstance;
  let query: jest.Mock;
  let sut: DatabaseAvailability;
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

  beforeEach(() => {
    jest.useFakeTimers();
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    query = jest.fn().mockRejectedValue(refused);
    sut = new DatabaseAvailability({ isInitialized: true, query } as unknown as DataSource);
  });
  afterEach(() => {
    sut.onApplicationShutdown();
    jest.useRealTimers();
    warn.mockRestore();
  });

  it('should log the start of an outage once, however many failures, and its end once', async () => {
    for (let i = 0; i < 50; i++) expect(sut.report(refused)).toBe(true);
    expect(sut.state()).toMatchObject({ available: false, failures: 50, outages: 1 });
    await jest.advanceTimersByTimeAsync(OUTAGE_PROBE_INTERVAL_MS * 3 + 10);
    expect(query).toHaveBeenCalledTimes(3);
    expect(sut.available).toBe(false);
    query.mockResolvedValue([{ '?column?': 1 }]);
    await jest.advanceTimersByTimeAsync(OUTAGE_PROBE_INTERVAL_MS + 10);
    expect(sut.state()).toMatchObject({ available: true, since: null, failures: 0, outages: 1 });
    const messages = warn.mock.calls.map(([arg]) => (arg as { msg: string }).msg);
    expect(messages).toEqual(['database unavailable', 'database available again']);
    expect(warn.mock.calls[0][0]).toEqual({ msg: 'database unavailable', cause: 'ECONNREFUSED' });
  });

  it('should ignore errors that are not about availability', () => {
    expect(sut.report(Object.assign(new Error('dup'), { code: '23505' }))).toBe(false);
    expect(sut.state()).toMatchObject({ available: true, outages: 0 });
    expect(warn).not.toHaveBeenCalled();
  });
});
