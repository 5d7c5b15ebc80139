import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { connect, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildApp,
  SERVER_ENV,
  spawnNode,
  startServer,
  SpawnedServer,
} from '../support/spawned-server';
import { createTestDatabase, TestDatabase, usingPostgres } from './test-database';

/**
 * Issue 11 items 3 and 4 (README "Operations") on a real process (`node main.js` as built):
 * SIGTERM drains within SHUTDOWN_TIMEOUT_SECONDS and exits 0, SIGUSR2 does not stop anything, and
 * an embedded data directory is opened by one process at a time.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens a raw connection and sends `text` (e.g. a request cut short). */
async function rawConnection(
  port: number,
  text: string,
): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) =>
    socket.once('connect', resolve).once('error', reject),
  );
  let data = '';
  socket.on('data', (c) => (data += c.toString()));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(text);
  return { socket, received: () => data, closed };
}

interface Sample {
  sentAt: number;
  at: number;
  status?: number;
  connection?: string;
  error?: string;
}

/** Keep-alive clients that request `path` back to back until stopped. */
function keepAliveLoad(port: number, clients: number, path: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const samples: Sample[] = [];
  let running = true;
  const one = () =>
    new Promise<void>((resolve) => {
      const sentAt = Date.now();
      const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          samples.push({
            sentAt,
            at: Date.now(),
            status: res.statusCode,
            connection: res.headers.connection,
          });
          resolve();
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        samples.push({ sentAt, at: Date.now(), error: err.code ?? err.message });
        resolve();
      });
      req.end();
    });
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      await one();
      if (samples.length > 0 && samples[samples.length - 1].error) await sleep(20);
    }
  });
  return {
    samples,
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}

describe('Process lifecycle: signals and the embedded data directory (e2e, spawned server)', () => {
  let build: { dir: string; remove(): void };
  let databases: TestDatabase[] = [];

  /** A database for a drain test: the run's PostgreSQL, or in-memory PGlite from the template. */
  async function databaseEnv(): Promise<Record<string, string>> {
    if (usingPostgres()) {
      const db = await createTestDatabase();
      databases.push(db);
      return { DATABASE_URL: db.url };
    }
    return {
      DATABASE_URL: 'memory://',
      ...(process.env.PGLITE_TEMPLATE ? { PGLITE_TEMPLATE: process.env.PGLITE_TEMPLATE } : {}),
    };
  }

  beforeAll(async () => {
    build = await buildApp();
  }, 120_000);

  afterAll(async () => {
    build?.remove();
    for (const db of databases) await db.drop();
    databases = [];
  });

  describe('SIGTERM under keep-alive load', () => {
    let server: SpawnedServer;
    const deadlineMs = 5000;

    beforeAll(async () => {
      server = await startServer(build.dir, {
        ...(await databaseEnv()),
        SHUTDOWN_TIMEOUT_SECONDS: String(deadlineMs / 1000),
      });
    }, 120_000);

    afterAll(() => {
      if (server.proc.exitCode === null) server.proc.kill('SIGKILL');
    });

    it('should not shut down on SIGUSR2', async () => {
      // A server of its own: the SIGTERM test below stops the shared one, in whatever order they run.
      const own = await startServer(build.dir, await databaseEnv());
      try {
        own.proc.kill('SIGUSR2');
        await sleep(500);
        expect(own.proc.exitCode).toBeNull();
        const res = await fetch(`${own.url}/health/ready`);
        expect(res.status).toBe(200);
      } finally {
        if (own.proc.exitCode === null) own.proc.kill('SIGKILL');
      }
    }, 120_000);

    it('should turn readiness 503, finish in-flight requests with Connection: close, stop serving, and exit 0 within the deadline', async () => {
      const load = keepAliveLoad(server.port, 8, '/health/live');
      await sleep(700);
      // In flight at the signal: a token request whose body is half sent, and a readiness probe
      // whose header is not complete yet.
      const body = 'grant_type=client_credentials&client_id=nobody';
      const post = await rawConnection(
        server.port,
        `POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
      );
      const probe = await rawConnection(
        server.port,
        'GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\n',
      );
      await sleep(100);

      const signalAt = Date.now();
      server.proc.kill('SIGTERM');
      await sleep(300);
      probe.socket.write('\r\n');
      post.socket.write(body.slice(10));
      await Promise.all([probe.closed, post.closed]);
      const { code, signal, at } = await server.exited;
      await load.stop();

      // Readiness, asked after the signal over a connection already open: 503, and the
      // connection closed after the answer.
      expect(probe.received()).toMatch(/^HTTP\/1\.1 503 /);
      expect(probe.received()).toMatch(/\r\nConnection: close\r\n/i);
      expect(probe.received()).toContain('"shutting down"');
      // The in-flight token request got its answer (an OAuth error here), not a reset.
      expect(post.received()).toMatch(/^HTTP\/1\.1 (400|401) /);
      expect(post.received()).toMatch(/\r\nConnection: close\r\n/i);

      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(at - signalAt).toBeLessThan(deadlineMs + 1000);
      expect(server.output()).toContain('"msg":"shut down"');

      // When the server acted on the signal (a busy process handles it a little later).
      const drainLine = server
        .output()
        .split('\n')
        .find((l) => l.includes('"msg":"shutting down: draining connections"'));
      expect(drainLine).toBeDefined();
      const drainAt = Date.parse(JSON.parse(drainLine!).time);
      expect(drainAt - signalAt).toBeLessThan(1000);
      const before = load.samples.filter((s) => s.at < signalAt && s.status !== undefined);
      const after = load.samples.filter((s) => s.at > drainAt + 250 && s.status !== undefined);
      expect(before.length).toBeGreaterThan(10);
      expect(load.samples.filter((s) => s.status !== undefined && s.status !== 200)).toEqual([]);
      // Whatever was still answered after the signal told the client to close the connection,
      // and nothing was served once the in-flight requests were done (no endless keep-alive).
      expect(after.filter((s) => s.connection !== 'close')).toEqual([]);
      expect(
        load.samples.filter((s) => s.status !== undefined && s.sentAt > drainAt + 400),
      ).toEqual([]);
    }, 60_000);
  });

  it('should cut a request that never completes at the drain deadline and still exit 0 in time', async () => {
    const server = await startServer(build.dir, {
      ...(await databaseEnv()),
      SHUTDOWN_TIMEOUT_SECONDS: '2',
    });
    try {
      const stuck = await rawConnection(
        server.port,
        'POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant',
      );
      await sleep(100);
      const signalAt = Date.now();
      server.proc.kill('SIGTERM');
      const { code, at } = await server.exited;
      await stuck.closed;
      expect(code).toBe(0);
      expect(at - signalAt).toBeLessThan(2000 + 1000);
      expect(at - signalAt).toBeGreaterThan(500);
      expect(server.output()).toContain('drain deadline reached: closing open connections');
    } finally {
      if (server.proc.exitCode === null) server.proc.kill('SIGKILL');
    }
  }, 120_000);

  describe('one process per PGlite data directory', () => {
    it('should refuse a second server and the admin CLI naming the holder, and recover the lock after kill -9', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'mcp-oauth-lock-'));
      const env = { DATA_DIR: dataDir };
      const lockFile = join(dataDir, 'pglite.lock');
      const first = await startServer(build.dir, env);
      let third: SpawnedServer | null = null;
      try {
        expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(first.pid);

        const second = spawnNode(join(build.dir, 'main.js'), {
          ...SERVER_ENV,
          ...env,
          PORT: '0',
          ISSUER: 'http://127.0.0.1:1',
        });
        const secondExit = await second.exited;
        expect(secondExit.code).toBe(1);
        expect(second.output()).toContain(`is in use: held by pid ${first.pid}`);
        expect(second.output()).toContain(
          'Only one process may open a PGlite data directory at a time',
        );
        expect(second.output()).not.toMatch(/\n\s+at /);

        const cli = spawnNode(join(build.dir, 'cli', 'create-admin-client.js'), {
          ...SERVER_ENV,
          ...env,
          ISSUER: first.url,
        });
        const cliExit = await cli.exited;
        expect(cliExit.code).toBe(1);
        expect(cli.output()).toContain(`held by pid ${first.pid}`);
        expect(cli.output()).toContain('stop the server, run `npm run admin:create-client` again');
        expect(cli.output()).toContain(`POST ${first.url}/admin/clients`);
        expect(cli.output()).not.toContain('client_secret=');
        expect(first.proc.exitCode).toBeNull();

        // kill -9: no cleanup runs, the lock file stays; the next start takes it over.
        first.proc.kill('SIGKILL');
        await first.exited;
        expect(existsSync(lockFile)).toBe(true);
        third = await startServer(build.dir, env);
        expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(third.pid);
        expect((await fetch(`${third.url}/health/ready`)).status).toBe(200);

        // A clean stop releases it.
        third.proc.kill('SIGTERM');
        expect((await third.exited).code).toBe(0);
        expect(existsSync(lockFile)).toBe(false);
      } finally {
        for (const s of [first, third])
          if (s && s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGKILL');
      }
    }, 240_000);

    it('should let the admin CLI create a client through the running server when admin credentials are set', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'mcp-oauth-lock-'));
      const admin = {
        ADMIN_CLIENT_ID: 'ops-admin',
        ADMIN_CLIENT_SECRET: 'ops-admin-secret-0123456789',
      };
      const server = await startServer(build.dir, { DATA_DIR: dataDir, ...admin });
      try {
        const cli = spawnNode(
          join(build.dir, 'cli', 'create-admin-client.js'),
          { ...SERVER_ENV, DATA_DIR: dataDir, ISSUER: server.url, ...admin },
          ['--name', 'Second admin'],
        );
        const { code } = await cli.exited;
        expect(cli.output()).toContain(`created through the running server at ${server.url}`);
        expect(code).toBe(0);
        const id = /client_id=(\S+)/.exec(cli.output())![1];
        const secret = /client_secret=(\S+)/.exec(cli.output())![1];
        // The printed credentials work.
        const token = await fetch(`${server.url}/oauth/token`, {
          method: 'POST',
          headers: {
            Authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
            'Content-Type': 'application/x-www-form-urlencoded',
          },
          body: 'grant_type=client_credentials&scope=admin',
        });
        expect(token.status).toBe(200);
      } finally {
        server.proc.kill('SIGTERM');
        await server.exited;
      }
    }, 240_000);
  });
});
