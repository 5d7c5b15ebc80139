import { LoggerService, LogLevel } from '@nestjs/common';
import { redact, redactString } from './redact';
import { currentRequestId } from './request-context';

const ORDER: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];

export type LogSink = (line: string) => void;

/**
 * Structured logger: one JSON object per line, with the request id, every string redacted.
 * Nest's own messages go through it too (`app.useLogger`).
 */
export class JsonLogger implements LoggerService {
  private minIndex: number;

  constructor(
    level: LogLevel = 'log',
    private readonly sink: LogSink = (line) => process.stdout.write(`${line}\n`),
  ) {
    this.minIndex = ORDER.indexOf(level);
  }

  setLogLevels(levels: LogLevel[]): void {
    this.minIndex = Math.min(...levels.map((l) => ORDER.indexOf(l)));
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
    if (ORDER.indexOf(level) < this.minIndex) return;
    // Nest passes the context as the last string argument; an error's stack comes before it.
    const args = [...rest];
    const context = typeof args[args.length - 1] === 'string' ? (args.pop() as string) : undefined;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level };
    if (context) entry.context = context;
    const requestId = currentRequestId();
    if (requestId) entry.requestId = requestId;
    if (message instanceof Error) {
      entry.msg = redactString(message.message);
      entry.stack = message.stack ? redactString(message.stack) : undefined;
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(entry, redact(message as Record<string, unknown>));
    } else {
      entry.msg = redactString(String(message));
    }
    for (const extra of args) {
      if (typeof extra === 'string') entry.stack = redactString(extra);
      else if (extra instanceof Error) entry.stack = redactString(extra.stack ?? extra.message);
      else if (extra !== undefined) entry.extra = redact(extra);
    }
    this.sink(JSON.stringify(entry));
  }
}
