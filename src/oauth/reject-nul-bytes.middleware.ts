import type { NextFunction, Request, Response } from 'express';
import { InvalidRequest } from './errors/oauth-errors';

const MAX_DEPTH = 32;

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return false;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\0') || containsNul(item, depth + 1)) return true;
  }
  return false;
}

/**
 * Refuses a request carrying a NUL character in its path, query or parsed body (400
 * invalid_request). No parameter of this server can contain one, and PostgreSQL text cannot hold
 * it: let through, `client_id=%00` made every lookup fail with a database error (a 500).
 * Runs after the body parsers.
 */
export function rejectNulBytes(req: Request, _res: Response, next: NextFunction): void {
  if (/%00/i.test(req.originalUrl) || containsNul(req.body)) {
    return next(InvalidRequest('request contains a nul character'));
  }
  next();
}
