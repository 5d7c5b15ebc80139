import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import { fromBodyParserError } from './errors/oauth-error.filter';
import { rejectNulBytes } from './reject-nul-bytes.middleware';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPES = ['application/json', 'application/*+json'];
const always = (): boolean => true;
/** type-is' hasBody, which body-parser asks first: a body is announced by either header. */
const hasBody = (req: Request): boolean =>
  req.headers['transfer-encoding'] !== undefined || !isNaN(Number(req.headers['content-length']));

/**
 * Every request body, in ONE middleware (docs/performance.md, "Every request"): the Content-Type is
 * classified once, and only the parser for it runs (body-parser's own, so limits, charsets,
 * encodings and its errors are unchanged):
 * - RFC 6749 §3.2 forms with "extended: false", which keeps parameters flat strings (duplicates
 *   arrive as arrays, which the endpoints reject);
 * - JSON (`application/json`, `application/*+json`);
 * - any other body (text/plain, multipart, XML, bytes) is read up to the same limit and dropped: no
 *   endpoint takes one, so it gets the endpoint's own content-type error, or 413 when larger.
 * body-parser's classification of a failure (too large, malformed, bad charset) becomes an OAuth
 * error; then a NUL anywhere in the URL or the parsed body is refused (reject-nul-bytes).
 * Before, these were four middlewares and an error handler, and each body parser parsed the
 * Content-Type again to decide that the request was not its own.
 */
export function requestBody(limit: string): RequestHandler {
  const form = express.urlencoded({ extended: false, limit, parameterLimit: 100, type: always });
  const json = express.json({ limit, type: always });
  const other = express.raw({ limit, type: always });
  return (req: Request, res: Response, next: NextFunction): void => {
    const parsed = (err?: unknown): void => {
      if (err) return next(fromBodyParserError(err) ?? err);
      rejectNulBytes(req, res, next);
    };
    if (!hasBody(req)) {
      req.body ??= undefined; // the property exists, as body-parser leaves it
      return parsed();
    }
    const type = req.is([FORM, ...JSON_TYPES]);
    if (type === FORM) return form(req, res, parsed);
    if (type) return json(req, res, parsed);
    other(req, res, (err?: unknown) => {
      req.body = undefined;
      parsed(err);
    });
  };
}
