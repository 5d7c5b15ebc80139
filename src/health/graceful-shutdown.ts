import type { LoggerService } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { AppConfig } from 'src/config/app-config';
import { ShutdownState } from './shutdown-state';

/** Signals that drain and stop the server. SIGUSR2 is not one (heap snapshots). */
const SHUTDOWN_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
const IDLE_SWEEP_MS = 100;

/**
 * The shutdown of `node dist/main.js` (README "Operations"). On SIGTERM (or SIGINT, SIGHUP):
 * 1. readiness answers 503 at once and the listener closes (no new connections);
 * 2. requests in flight finish; every response still sent carries `Connection: close`, idle
 *    kept-alive connections are closed as soon as they are idle;
 * 3. at the drain deadline (SHUTDOWN_TIMEOUT_SECONDS, less a reserve for step 4) connections still
 *    open are closed;
 * 4. the application closes (audit events flushed, database closed) and the process exits 0.
 * If step 4 does not end by the deadline, the process exits 1 with a log line.
 * A second signal during the drain exits at once (1).
 */
export function installGracefulShutdown(app: NestExpressApplication, logger: LoggerService): void {
  const config = app.get(AppConfig);
  const state = app.get(ShutdownState);
  const server = app.getHttpServer() as Server;
  const open = new Set<ServerResponse>();

  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (state.draining) {
      if (!res.headersSent) res.setHeader('Connection', 'close');
      return;
    }
    open.add(res);
    const done = () => open.delete(res);
    res.once('finish', done);
    res.once('close', done);
  });

  let started = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (started) {
      logger.warn({ msg: 'second signal during shutdown: exiting now', signal }, 'Shutdown');
      process.exit(1);
    }
    started = true;
    void shutdown(signal);
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
  ignoreSigusr2(logger);

  async function shutdown(signal: NodeJS.Signals): Promise<void> {
    const total = config.shutdownTimeoutMs;
    const startedAt = Date.now();
    // Closing the application (flush, database) gets the last part of the budget.
    const drainMs = Math.max(
      total - Math.min(3000, Math.floor(total * 0.3)),
      Math.floor(total / 2),
    );
    const hard = setTimeout(() => {
      logger.error(
        { msg: 'shutdown deadline reached before the application closed: exiting', signal },
        'Shutdown',
      );
      process.exit(1);
    }, total);
    hard.unref();

    state.begin();
    logger.log(
      { msg: 'shutting down: draining connections', signal, deadlineMs: total },
      'Shutdown',
    );
    for (const res of open) if (!res.headersSent) res.setHeader('Connection', 'close');

    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    let forced = false;
    const timeout = new Promise<void>((resolve) =>
      setTimeout(() => {
        forced = true;
        resolve();
      }, drainMs).unref(),
    );
    await Promise.race([closed, timeout]);
    clearInterval(sweep);
    if (forced) {
      logger.warn(
        { msg: 'drain deadline reached: closing open connections', requests: open.size },
        'Shutdown',
      );
      server.closeAllConnections();
    }
    try {
      await app.close();
    } catch (err) {
      logger.error(
        { msg: 'error while closing the application', error: (err as Error)?.name },
        'Shutdown',
      );
      clearTimeout(hard);
      process.exit(1);
    }
    clearTimeout(hard);
    logger.log({ msg: 'shut down', signal, ms: Date.now() - startedAt }, 'Shutdown');
    process.exit(0);
  }
}

/**
 * SIGUSR2's default action ends the process. Under `--heapsnapshot-signal=SIGUSR2` Node writes a
 * heap snapshot instead; otherwise it is only logged. Never a shutdown.
 */
function ignoreSigusr2(logger: LoggerService): void {
  const options = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  if (/--heapsnapshot-signal(=|\s+)SIGUSR2\b/.test(options)) return;
  process.on('SIGUSR2', () =>
    logger.log(
      { msg: 'SIGUSR2 ignored (start node with --heapsnapshot-signal=SIGUSR2 for heap snapshots)' },
      'Shutdown',
    ),
  );
}
