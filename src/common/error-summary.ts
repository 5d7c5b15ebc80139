import { redactString } from './redact';

const MAX_LENGTH = 300;

/**
 * A short, log-safe description of an error: its name, its code when it has one (ECONNREFUSED,
 * 57P01, …) and its message with anything secret-looking masked. Never the stack or the cause.
 */
export function errorSummary(err: unknown): string {
  if (!(err instanceof Error)) return 'unknown error';
  const code = (err as { code?: unknown }).code;
  const head =
    typeof code === 'string' || typeof code === 'number' ? `${err.name} ${code}` : err.name;
  const text = `${head}: ${redactString(err.message)}`;
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH)}…` : text;
}
