import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { ListenClient, PgNotifyTransport } from './pg-notify.transport';
import { reconnectDelayMs } from './revocation-transport';

class FakeClient extends EventEmitter implements ListenClient {
  queries: string[] = [];
  ended = false;
  constructor(
    private readonly fail: boolean,
    readonly failQueries = { value: false },
  ) {
    super();
  }
  async connect(): Promise<void> {
    if (this.fail) throw new Error('connect ECONNREFUSED');
  }
  async query(sql: string): Promise<unknown> {
    this.queries.push(sql);
    if (this.failQueries.value) throw new Error('terminating connection');
    return {};
  }
  async end(): Promise<void> {
    this.ended = true;
  }
}

describe(PgNotifyTransport.name, () => {
  let clients: FakeClient[];
  /** Outcome of each successive connect: true = fails. */
  let failures: boolean[];
  let onMessage: jest.Mock;
  let onSubscribed: jest.Mock;
  let notify: jest.Mock;
  let sut: PgNotifyTransport;

  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(true));

  beforeEach(() => {
    jest.useFakeTimers();
    jest.spyOn(Math, 'random').mockReturnValue(0.5); // no jitter
    clients = [];
    failures = [];
    onMessage = jest.fn();
    onSubscribed = jest.fn();
    notify = jest.fn(async () => undefined);
    sut = new PgNotifyTransport('postgres://x', 'mcp_oauth_revocation', notify, {
      heartbeatMs: 30_000,
      heartbeatTimeoutMs: 1_000,
      createClient: () => {
        const client = new FakeClient(failures.shift() ?? false);
        clients.push(client);
        return client;
      },
    });
  });
  afterEach(async () => {
    await sut.stop();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  const start = () => sut.start({ onMessage, onSubscribed });

  it('should LISTEN on its own connection and deliver only its channel', async () => {
    await start();
    expect(clients).toHaveLength(1);
    expect(clients[0].queries).toEqual(['LISTEN mcp_oauth_revocation']);
    expect(onSubscribed).toHaveBeenCalledTimes(1);
    clients[0].emit('notification', { channel: 'mcp_oauth_revocation', payload: 'p1' });
    clients[0].emit('notification', { channel: 'other', payload: 'p2' });
    expect(onMessage.mock.calls).toEqual([['p1']]);
  });

  it('should NOTIFY through the pool, not the listening connection', async () => {
    await start();
    await sut.publish('payload');
    expect(notify).toHaveBeenCalledWith('mcp_oauth_revocation', 'payload');
    expect(clients[0].queries).toEqual(['LISTEN mcp_oauth_revocation']);
  });

  it('should keep retrying with growing delays until it connects, then report it', async () => {
    failures = [true, true, true];
    await start();
    expect(sut.listening).toBe(false);
    expect(onSubscribed).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(reconnectDelayMs(1) - 1);
    expect(clients).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(clients).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(reconnectDelayMs(2));
    expect(clients).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(reconnectDelayMs(3));
    expect(clients).toHaveLength(4);
    expect(sut.listening).toBe(true);
    expect(onSubscribed).toHaveBeenCalledTimes(1);
    expect(clients.slice(0, 3).every((c) => c.ended)).toBe(true);
  });

  it('should reconnect after the connection fails and report the new subscription', async () => {
    await start();
    clients[0].emit('error', new Error('terminating connection due to administrator command'));
    expect(sut.listening).toBe(false);
    expect(clients[0].ended).toBe(true);
    await jest.advanceTimersByTimeAsync(reconnectDelayMs(1));
    expect(clients).toHaveLength(2);
    expect(sut.listening).toBe(true);
    expect(onSubscribed).toHaveBeenCalledTimes(2);
    // Notifications from the dead connection are no longer delivered.
    clients[0].emit('notification', { channel: 'mcp_oauth_revocation', payload: 'late' });
    expect(onMessage).not.toHaveBeenCalled();
  });

  it('should treat a failed heartbeat as a lost connection', async () => {
    await start();
    clients[0].failQueries.value = true;
    await jest.advanceTimersByTimeAsync(30_000);
    expect(sut.listening).toBe(false);
    await jest.advanceTimersByTimeAsync(reconnectDelayMs(1));
    expect(clients).toHaveLength(2);
    expect(sut.listening).toBe(true);
  });

  it('should stop reconnecting once stopped', async () => {
    failures = [true];
    await start();
    await sut.stop();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(clients).toHaveLength(1);
  });

  it('should refuse a channel name that is not a plain identifier', () => {
    expect(() => new PgNotifyTransport('postgres://x', 'a; DROP', notify)).toThrow();
  });
});

describe(reconnectDelayMs.name, () => {
  it('should double from half a second up to thirty, with bounded jitter', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 10, 50].map((n) => reconnectDelayMs(n, mid))).toEqual([
      500, 1000, 2000, 4000, 30000, 30000,
    ]);
    expect(reconnectDelayMs(1, () => 0)).toBe(400);
    expect(reconnectDelayMs(1, () => 0.999999)).toBe(600);
  });
});
