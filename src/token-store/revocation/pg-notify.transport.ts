import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { errorSummary } from 'src/common/error-summary';
import {
  reconnectDelayMs,
  RevocationTransport,
  RevocationTransportHandlers,
  withTimeout,
} from './revocation-transport';

/** The part of pg.Client the listener uses. */
export interface ListenClient {
  connect(): Promise<unknown>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
  on(
    event: 'notification',
    listener: (msg: { channel: string; payload?: string }) => void,
  ): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}

export interface PgNotifyTransportOptions {
  /** How often the idle listener connection is probed, so a half-open connection is noticed. */
  heartbeatMs: number;
  heartbeatTimeoutMs: number;
  /** Creates the dedicated connection; tests pass a fake. */
  createClient: (url: string) => ListenClient;
}

const DEFAULT_OPTIONS: PgNotifyTransportOptions = {
  heartbeatMs: 30_000,
  heartbeatTimeoutMs: 10_000,
  createClient: (url) =>
    new Client({
      connectionString: url,
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
      application_name: 'mcp-oauth revocation listener',
    }),
};

/**
 * PostgreSQL LISTEN/NOTIFY: one dedicated connection per instance LISTENs (a pooled connection
 * would be handed to other queries); NOTIFY goes through the pool. A lost listener reconnects with
 * exponential backoff and, once listening again, reports it so missed notices are compensated.
 */
export class PgNotifyTransport implements RevocationTransport {
  private readonly logger = new Logger('RevocationBroadcaster');
  private readonly options: PgNotifyTransportOptions;
  private handlers: RevocationTransportHandlers | null = null;
  private client: ListenClient | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private attempt = 0;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly notify: (channel: string, payload: string) => Promise<void>,
    options: Partial<PgNotifyTransportOptions> = {},
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error('channel must be a plain identifier');
    this.options = { ...DEFAULT_OPTIONS, ...options };
  }

  async start(handlers: RevocationTransportHandlers): Promise<void> {
    this.handlers = handlers;
    this.stopped = false;
    try {
      await this.connect();
    } catch (err) {
      this.logger.warn({
        msg: 'revocation listener not connected, retrying',
        error: errorSummary(err),
      });
      this.scheduleReconnect();
    }
  }

  publish(payload: string): Promise<void> {
    return this.notify(this.channel, payload);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.stopHeartbeat();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  /** True while LISTENing (for health reporting and tests). */
  get listening(): boolean {
    return this.client !== null;
  }

  private async connect(): Promise<void> {
    const client = this.options.createClient(this.url);
    client.on('notification', (msg) => {
      if (msg.channel === this.channel && this.client === client)
        this.handlers?.onMessage(msg.payload ?? '');
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    if (this.attempt > 0) this.logger.log({ msg: 'revocation listener reconnected' });
    this.attempt = 0;
    this.client = client;
    this.startHeartbeat(client);
    this.handlers?.onSubscribed();
  }

  /** The listening connection failed or closed: forget it and reconnect (unless stopping). */
  private lost(client: ListenClient, err?: Error): void {
    if (this.client !== client) return;
    this.client = null;
    this.stopHeartbeat();
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    this.logger.warn({
      msg: 'revocation listener lost its connection, reconnecting',
      error: err ? errorSummary(err) : 'connection ended',
    });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.attempt++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.stopped) return;
      this.connect().catch((err: unknown) => {
        this.logger.warn({
          msg: 'revocation listener reconnection failed',
          attempt: this.attempt,
          error: errorSummary(err),
        });
        this.scheduleReconnect();
      });
    }, reconnectDelayMs(this.attempt));
    this.reconnectTimer.unref?.();
  }

  private startHeartbeat(client: ListenClient): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => {
      withTimeout(
        client.query('SELECT 1'),
        this.options.heartbeatTimeoutMs,
        'listener heartbeat',
      ).catch((err: unknown) =>
        this.lost(client, err instanceof Error ? err : new Error(String(err))),
      );
    }, this.options.heartbeatMs);
    this.heartbeat.unref?.();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}
