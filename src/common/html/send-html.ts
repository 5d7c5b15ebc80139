import { createHash } from 'node:crypto';
import type { Response } from 'express';

let styleHashes: string | undefined;

function styleSources(body: string): string {
  // The only inline content is the layout's <style> block; allow exactly it by hash (no 'unsafe-inline').
  if (styleHashes === undefined) {
    const match = /<style>([\s\S]*?)<\/style>/.exec(body);
    styleHashes = match ? `'sha256-${createHash('sha256').update(match[1]).digest('base64')}'` : "'none'";
  }
  return styleHashes;
}

/**
 * Sends an HTML page with the headers every page here carries (docs/security.md §10 items 33-34):
 * no caching, no framing, no referrer, no scripts.
 */
export function sendHtml(res: Response, status: number, body: string): void {
  res.status(status);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; style-src ${styleSources(body)}; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'`,
  );
  res.send(body);
}
