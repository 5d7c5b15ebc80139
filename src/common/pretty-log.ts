/** `LOG_FORMAT=pretty` (development): one pino JSON line → one readable line. */

const COLORS: Record<string, string> = {
  trace: '\x1b[90m',
  debug: '\x1b[36m',
  info: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
  fatal: '\x1b[35m',
};
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';

/** Fields shown in the line's head (an access line's msg is "METHOD route status"), not repeated as key=value. */
const HEAD = new Set(['time', 'level', 'msg', 'context', 'requestId', 'stack', 'method', 'route', 'status']);

export function prettyLine(json: string, color: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const level = String(entry.level ?? 'info');
  const label = level.toUpperCase().padEnd(5);
  const context = entry.context ? `[${String(entry.context)}] ` : '';
  const fields = Object.entries(entry)
    .filter(([key, value]) => !HEAD.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const id = typeof entry.requestId === 'string' ? ` (${entry.requestId.slice(0, 8)})` : '';
  const head = color ? `${DIM}${time}${RESET} ${COLORS[level] ?? ''}${label}${RESET}` : `${time} ${label}`;
  const tail = fields ? (color ? ` ${DIM}${fields}${RESET}` : ` ${fields}`) : '';
  const stack = typeof entry.stack === 'string' ? `\n${entry.stack}` : '';
  return `${head} ${context}${String(entry.msg ?? '')}${tail}${id}${stack}`;
}
