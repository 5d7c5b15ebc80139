import { createServer, Server } from 'node:net';

/**
 * A TCP port that was free a moment ago on 127.0.0.1. Racy: another process (a parallel jest
 * worker) may take it before the caller listens. Prefer `reservePort()`, or
 * `createTestApp({ listen: true })`, which never let go of the port.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A port held open from the moment it is chosen: hand `server` to `http.Server#listen(handle)`. */
export interface ReservedPort {
  port: number;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** The listening socket; an HTTP server that listens on it takes it over. */
  server: Server;
  release(): Promise<void>;
}

export function reservePort(): Promise<ReservedPort> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        port,
        origin: `http://127.0.0.1:${port}`,
        server,
        release: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
