import { Logger } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';
import { errorSummary } from 'src/common/error-summary';
import {
  reconnectDelayMs,
  RevocationTransport,
  RevocationTransportHandlers,
  withTimeout,
} from './revocation-transport';

const SUBSCRIBE_TIMEOUT_MS = 5_000;
/** While Redis stays unreachable, one warning per this interval, not one per retry. */
const WARN_INTERVAL_MS = 60_000;

/**
 * Redis pub/sub (REDIS_URL): a subscriber connection and a publisher connection (a subscribed
 * connection cannot publish). ioredis reconnects with our backoff; after each reconnection we
 * subscribe again ourselves, then report it so missed notices are compensated.
 */
export class RedisPubSubTransport implements RevocationTransport {
  private readonly logger = new Logger('RevocationBroadcaster');
  private subscriber: Redis | null = null;
  private publisher: Redis | null = null;
  private lastWarning = Number.NEGATIVE_INFINITY;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
  ) {}

  async start(handlers: RevocationTransportHandlers): Promise<void> {
    this.stopped = false;
    const options: RedisOptions = {
      retryStrategy: (times) => reconnectDelayMs(times),
      // Our own subscribe on 'ready' tells us when the channel is live again.
      autoResubscribe: false,
      connectionName: 'mcp-oauth-revocation',
    };
    // Publishing must fail fast when Redis is away, never queue behind a reconnection.
    this.publisher = new Redis(this.url, {
      ...options,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    });
    this.subscriber = new Redis(this.url, { ...options, lazyConnect: true });
    for (const [role, client] of [
      ['publisher', this.publisher],
      ['subscriber', this.subscriber],
    ] as const) {
      client.on('error', (err: Error) => this.warn(`redis ${role} error`, err));
    }
    const subscriber = this.subscriber;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) handlers.onMessage(message);
    });
    let first: Promise<void> | null = null;
    subscriber.on('ready', () => {
      const subscribed = subscriber.subscribe(this.channel).then(
        () => {
          if (!this.stopped) handlers.onSubscribed();
        },
        (err: Error) => this.warn('redis subscribe failed', err),
      );
      first ??= subscribed;
    });
    try {
      await withTimeout(subscriber.connect(), SUBSCRIBE_TIMEOUT_MS, 'redis connect');
      // 'ready' has fired by now (connect resolves on ready): wait for the SUBSCRIBE reply too.
      if (first) await withTimeout(first, SUBSCRIBE_TIMEOUT_MS, 'redis subscribe');
    } catch (err) {
      this.warn('revocation subscriber not connected, retrying', err);
    }
  }

  async publish(payload: string): Promise<void> {
    if (!this.publisher) throw new Error('redis publisher not started');
    await this.publisher.publish(this.channel, payload);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const clients = [this.subscriber, this.publisher].filter((c): c is Redis => c !== null);
    this.subscriber = null;
    this.publisher = null;
    // Wait for the sockets to close, so shutdown leaves nothing behind.
    await Promise.all(
      clients.map((client) =>
        withTimeout(closed(client), SUBSCRIBE_TIMEOUT_MS, 'redis disconnect').catch(
          () => undefined,
        ),
      ),
    );
  }

  private warn(msg: string, err: unknown): void {
    if (this.stopped) return;
    const now = Date.now();
    if (now - this.lastWarning < WARN_INTERVAL_MS) return;
    this.lastWarning = now;
    this.logger.warn({ msg, error: errorSummary(err) });
  }
}

function closed(client: Redis): Promise<void> {
  if (client.status === 'end') return Promise.resolve();
  return new Promise((resolve) => {
    client.once('end', () => resolve());
    client.disconnect();
  });
}
