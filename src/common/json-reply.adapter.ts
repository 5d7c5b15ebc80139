import { StreamableFile } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Response } from 'express';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Nest's Express adapter, with one shortcut for the hot paths (docs/performance.md, "Every
 * request"): a handler's JSON answer to a POST, PUT, PATCH or DELETE is written in one step, with
 * the headers Express's `res.json` would set (`Content-Type: application/json; charset=utf-8`,
 * `Content-Length`) and the same `JSON.stringify` text (the app sets no `json replacer`, `json spaces`
 * or `json escape`, which `res.json` would apply). What it skips is Express's `res.send` work
 * that only a GET or HEAD can use: the weak ETag (a SHA-1 of every body) and the freshness check
 * behind it, and re-parsing the Content-Type to add the charset. Everything else goes through Nest's own
 * reply: GET and HEAD (ETags and 304 stay), a Content-Type a handler chose, 204 and 304, streams and
 * empty bodies.
 */
export class JsonReplyAdapter extends ExpressAdapter {
  override reply(response: Response, body: unknown, statusCode?: number): unknown {
    if (!writesJsonAtOnce(response, body, statusCode)) return super.reply(response, body, statusCode);
    const json = JSON.stringify(body);
    if (json === undefined) return super.reply(response, body, statusCode);
    if (statusCode) response.statusCode = statusCode;
    response.setHeader('Content-Type', JSON_TYPE);
    response.setHeader('Content-Length', Buffer.byteLength(json));
    response.end(json);
    return response;
  }
}

function writesJsonAtOnce(response: Response, body: unknown, statusCode?: number): boolean {
  if (body === null || typeof body !== 'object' || body instanceof StreamableFile) return false;
  const method = response.req.method;
  if (method === 'GET' || method === 'HEAD') return false;
  const status = statusCode ?? response.statusCode;
  if (status === 204 || status === 304) return false;
  return response.getHeader('Content-Type') === undefined;
}
