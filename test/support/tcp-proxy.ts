import { createServer, Server, Socket } from 'node:net';

export type ProxyMode = 'forward' | 'refuse' | 'stall';

/**
 * A TCP proxy between the app and a real server (PostgreSQL), for fault tests that must never
 * stop or freeze the shared server itself:
 * - forward: pass bytes both ways (the normal state);
 * - refuse: close the listener (new connections get ECONNREFUSED) and reset the open ones;
 * - drop(): reset every open connection once, keep forwarding new ones;
 * - stall: accept connections but pass no byte either way, like a frozen (SIGSTOP) server or a
 *   network partition; forward() lets the held bytes through again.
 */
export class TcpProxy {
  private server: Server | null = null;
  private mode: ProxyMode = 'forward';
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  get address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }

  /** Connections accepted so far that are still open. */
  get openConnections(): number {
    return this.pairs.size;
  }

  async start(port = 0): Promise<void> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Back to normal: listening and passing bytes (stalled bytes flow again). */
  async forward(): Promise<void> {
    this.mode = 'forward';
    if (!this.server) await this.start(this.port);
    for (const { client, upstream } of this.pairs) {
      client.resume();
      upstream.resume();
    }
  }

  /** The server is down: connection refused, open connections reset. */
  async refuse(): Promise<void> {
    this.mode = 'refuse';
    const server = this.server;
    this.server = null;
    this.resetAll();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Every open connection is reset (a restarted server, a flapping network); new ones work. */
  drop(): void {
    this.resetAll();
  }

  /** Frozen: nothing passes either way, nothing is closed. */
  stall(): void {
    this.mode = 'stall';
    for (const { client, upstream } of this.pairs) {
      client.pause();
      upstream.pause();
    }
  }

  async stop(): Promise<void> {
    await this.refuse();
  }

  private accept(client: Socket): void {
    const upstream = new Socket();
    const pair = { client, upstream };
    this.pairs.add(pair);
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    // Bytes are written only while forwarding; a paused socket holds them (stall).
    client.on('data', (chunk) => {
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('data', (chunk) => {
      if (!client.write(chunk)) upstream.pause();
    });
    client.on('drain', () => this.mode === 'forward' && upstream.resume());
    upstream.on('drain', () => this.mode === 'forward' && client.resume());
    upstream.connect(this.target.port, this.target.host);
    if (this.mode === 'stall') {
      client.pause();
      upstream.pause();
    }
  }

  private resetAll(): void {
    for (const { client, upstream } of this.pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }
}
