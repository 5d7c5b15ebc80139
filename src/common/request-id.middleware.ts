import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { requestContext } from './request-context';

export const REQUEST_ID_HEADER = 'x-request-id';
const SAFE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Gives the request its id (a well-formed incoming X-Request-Id is kept, anything else replaced)
 * and echoes it in the response. The caller runs the rest of the request in `requestContext`.
 */
export function assignRequestId(req: Request, res: Response): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const id = typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
  (req as Request & { id: string }).id = id;
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * The request id alone, visible to the logger (specs that build a bare express app; the server's
 * own stack does this in `requestObserverMiddleware`, with the access log and the metrics).
 */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  requestContext.run({ requestId: assignRequestId(req, res) }, next);
}
