import { Logger } from '@nestjs/common';
import { RevocationChecker } from 'src/token-store/revocation-checker';
import { encodeNotice } from './revocation-notice';
import { RevocationTransport, RevocationTransportHandlers } from './revocation-transport';
import {
  MAX_SEPARATE_NOTICES,
  PUBLISH_TIMEOUT_MS,
  TransportRevocationBroadcaster,
} from './transport-revocation-broadcaster';

class FakeTransport implements RevocationTransport {
  handlers: RevocationTransportHandlers | null = null;
  published: string[] = [];
  publish = jest.fn(async (payload: string) => {
    this.published.push(payload);
  });
  stop = jest.fn(async () => undefined);

  async start(handlers: RevocationTransportHandlers): Promise<void> {
    this.handlers = handlers;
  }
}

const checker = () => ({
  isRevoked: jest.fn(),
  markRevoked: jest.fn(),
  invalidate: jest.fn(),
  invalidateAll: jest.fn(),
});

describe(TransportRevocationBroadcaster.name, () => {
  let transport: FakeTransport;
  let revocations: ReturnType<typeof checker>;
  let sut: TransportRevocationBroadcaster;
  let warn: jest.SpyInstance;

  beforeEach(async () => {
    transport = new FakeTransport();
    revocations = checker();
    sut = new TransportRevocationBroadcaster(
      transport,
      revocations as unknown as RevocationChecker,
    );
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    await sut.onModuleInit();
  });
  afterEach(() => {
    warn.mockRestore();
    jest.useRealTimers();
  });

  it('should publish a jti notice and a grant notice stamped with its instance id', async () => {
    await sut.tokenRevoked('jti-1');
    await sut.grantRevoked('grant-1');
    expect(transport.published.map((p) => JSON.parse(p))).toEqual([
      { kind: 'jti', id: 'jti-1', origin: sut.instanceId, sentAt: expect.any(Number) },
      { kind: 'grant', id: 'grant-1', origin: sut.instanceId, sentAt: expect.any(Number) },
    ]);
  });

  it('should send the notices of one turn together, collapsing a bulk revocation into one', async () => {
    const sent = () => transport.published.splice(0).map((p) => JSON.parse(p));
    await Promise.all(['j1', 'j2', 'j1'].map((j) => sut.tokenRevoked(j)));
    expect(sent().map((n) => n.id)).toEqual(['j1', 'j2', 'j1']);

    await Promise.all([sut.tokenRevoked('j3'), sut.grantRevoked('g1'), sut.grantRevoked('g2')]);
    expect(sent()).toEqual([{ kind: 'grant', id: 'g1', origin: sut.instanceId, sentAt: expect.any(Number) }]);

    const many = Array.from({ length: MAX_SEPARATE_NOTICES + 1 }, (_, i) => `jti-${i}`);
    await Promise.all(many.map((j) => sut.tokenRevoked(j)));
    expect(sent()).toEqual([{ kind: 'grant', id: 'jti-0', origin: sut.instanceId, sentAt: expect.any(Number) }]);

    await sut.grantRevoked('g3');
    await sut.grantRevoked('g4');
    expect(sent().map((n) => n.id)).toEqual(['g3', 'g4']);
  });

  it('should report how long each notice took to arrive, its own (same clock) and the others\'', () => {
    const lags: Array<[number, string]> = [];
    const observed = new TransportRevocationBroadcaster(
      transport,
      revocations as unknown as RevocationChecker,
      (seconds, source) => lags.push([seconds, source]),
    );
    const now = Date.now();
    observed.receive(encodeNotice({ kind: 'jti', id: 'j1', origin: observed.instanceId, sentAt: now - 20 }));
    observed.receive(encodeNotice({ kind: 'jti', id: 'j2', origin: 'other', sentAt: now - 1500 }));
    observed.receive(encodeNotice({ kind: 'jti', id: 'j3', origin: 'older-sender' }));
    expect(lags.map(([, source]) => source)).toEqual(['self', 'peer']);
    expect(lags[0][0]).toBeGreaterThanOrEqual(0.02);
    expect(lags[0][0]).toBeLessThan(1);
    expect(lags[1][0]).toBeGreaterThanOrEqual(1.5);
    expect(revocations.markRevoked.mock.calls.map(([id]) => id)).toEqual(['j2', 'j3']);
  });

  it('should publish only after every caller of the batch has asked', async () => {
    const first = sut.grantRevoked('g1');
    expect(transport.publish).not.toHaveBeenCalled();
    const second = sut.grantRevoked('g2');
    await Promise.all([first, second]);
    expect(transport.publish).toHaveBeenCalledTimes(1);
  });

  it('should mark a jti revoked and drop every cached answer for a grant, from another instance', () => {
    transport.handlers!.onMessage(encodeNotice({ kind: 'jti', id: 'jti-1', origin: 'other' }));
    expect(revocations.markRevoked).toHaveBeenCalledWith('jti-1');
    expect(revocations.invalidateAll).not.toHaveBeenCalled();
    transport.handlers!.onMessage(encodeNotice({ kind: 'grant', id: 'g', origin: 'other' }));
    expect(revocations.invalidateAll).toHaveBeenCalledTimes(1);
  });

  it('should ignore its own notices and malformed ones', () => {
    transport.handlers!.onMessage(encodeNotice({ kind: 'jti', id: 'x', origin: sut.instanceId, sentAt: expect.any(Number) }));
    transport.handlers!.onMessage('{"kind":"nope"}');
    expect(revocations.markRevoked).not.toHaveBeenCalled();
    expect(revocations.invalidateAll).not.toHaveBeenCalled();
  });

  it('should forget cached answers whenever the subscription is (re)established', () => {
    transport.handlers!.onSubscribed();
    expect(revocations.invalidateAll).toHaveBeenCalledTimes(1);
  });

  it('should never fail the caller when publishing fails, and log no identifier or secret', async () => {
    transport.publish.mockRejectedValueOnce(
      new Error('connect ECONNREFUSED postgres://app:hunter2@db/x'),
    );
    await expect(sut.tokenRevoked('jti-secretish')).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    const logged = JSON.stringify(warn.mock.calls[0]);
    expect(logged).toContain('revocation notice not sent');
    expect(logged).not.toContain('hunter2');
    expect(logged).not.toContain('jti-secretish');
  });

  it('should give up waiting for a publish that hangs', async () => {
    jest.useFakeTimers();
    transport.publish.mockImplementationOnce(() => new Promise<void>(() => undefined));
    const sending = sut.grantRevoked('g');
    await jest.advanceTimersByTimeAsync(PUBLISH_TIMEOUT_MS);
    await expect(sending).resolves.toBeUndefined();
    expect(JSON.stringify(warn.mock.calls[0])).toContain('timed out');
  });

  it('should stop the transport on shutdown', async () => {
    await sut.onApplicationShutdown();
    expect(transport.stop).toHaveBeenCalled();
  });
});
