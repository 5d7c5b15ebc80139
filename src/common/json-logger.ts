import { LoggerService, LogLevel } from '@nestjs/common';
import pino, { DestinationStream, Logger as Pino } from 'pino';
import { prettyLine } from './pretty-log';
import { redact, redactString } from './redact';
import { currentRequestId } from './request-context';

export type LogSink = (line: string) => void;
export type LogFormat = 'json' | 'pretty';

/** Nest's level names → pino's. */
const PINO_LEVEL: Record<LogLevel, pino.Level> = {
  verbose: 'trace',
  debug: 'debug',
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};

const ORDER: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];

/**
 * Nest's start-up chatter: one line per module and one per route. Written at debug, so the default
 * level shows the banner and a handful of lines (README: Configuration, LOG_LEVEL).
 */
const STARTUP_CONTEXTS: ReadonlySet<string> = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/**
 * The application's logger, on pino: one JSON object per line (`LOG_FORMAT=pretty`: one readable
 * line), with the request id, every string redacted (docs/architecture.md, `common`). Nest's own
 * messages go through it, and the access log (`request-observer.middleware.ts`) writes through `.pino`.
 */
export class JsonLogger implements LoggerService {
  readonly pino: Pino;
  private readonly out: DestinationStream;
  private readonly rawWrite: (text: string) => void;

  constructor(level: LogLevel = 'log', sink?: LogSink, format: LogFormat = 'json') {
    this.out = destination(sink, format);
    this.rawWrite = sink ?? (format === 'pretty' ? (text) => process.stdout.write(text) : (text) => this.out.write(text));
    this.pino = pino(
      {
        level: PINO_LEVEL[level] ?? 'info',
        base: undefined,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      },
      this.out,
    );
  }

  /** Writes text as is (the start-up banner), in order with the log lines before it. */
  raw(text: string): void {
    this.rawWrite(text);
  }

  setLogLevels(levels: LogLevel[]): void {
    const lowest = ORDER[Math.min(...levels.map((l) => ORDER.indexOf(l)).filter((i) => i >= 0))];
    if (lowest) this.pino.level = PINO_LEVEL[lowest];
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    // Nest passes the context as the last string argument; an error's stack comes before it.
    const args = [...rest];
    const context = typeof args[args.length - 1] === 'string' ? (args.pop() as string) : undefined;
    if (level === 'log' && context && STARTUP_CONTEXTS.has(context)) level = 'debug';
    const pinoLevel = PINO_LEVEL[level];
    if (!this.pino.isLevelEnabled(pinoLevel)) return;
    const entry: Record<string, unknown> = {};
    if (context) entry.context = context;
    const requestId = currentRequestId();
    if (requestId) entry.requestId = requestId;
    let msg: string | undefined;
    if (message instanceof Error) {
      msg = redactString(message.message);
      if (message.stack) entry.stack = redactString(message.stack);
    } else if (typeof message === 'object' && message !== null) {
      const fields = redact(message as Record<string, unknown>);
      if (typeof fields.msg === 'string') msg = fields.msg;
      delete fields.msg;
      Object.assign(entry, fields);
    } else {
      msg = redactString(String(message));
    }
    for (const extra of args) {
      if (typeof extra === 'string') entry.stack = redactString(extra);
      else if (extra instanceof Error) entry.stack = redactString(extra.stack ?? extra.message);
      else if (extra !== undefined) entry.extra = redact(extra);
    }
    this.pino[pinoLevel](entry, msg);
  }
}

/**
 * Where lines go: the given sink (tests), else stdout, written asynchronously by pino's sonic-boom
 * (flushed when the process exits) so a request never waits for the terminal or the pipe.
 */
function destination(sink: LogSink | undefined, format: LogFormat): DestinationStream {
  if (format === 'pretty') {
    const out = sink ?? ((line: string) => process.stdout.write(`${line}\n`));
    const color = !sink && process.stdout.isTTY === true;
    return { write: (line: string) => out(prettyLine(line, color)) };
  }
  if (sink) return { write: (line: string) => sink(line.endsWith('\n') ? line.slice(0, -1) : line) };
  return pino.destination({ dest: 1, sync: false });
}
