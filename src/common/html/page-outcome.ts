import type { Response } from 'express';
import { sendHtml } from './send-html';

/** What a browser-facing handler answers: a redirect, or an HTML page. */
export type PageOutcome = { kind: 'redirect'; url: string } | { kind: 'page'; status: number; html: string };

/** Sends a PageOutcome: 303 after a form POST (never 307, RFC 9700 §4.12), 302 otherwise. */
export function sendOutcome(res: Response, outcome: PageOutcome, method: string): void {
  if (outcome.kind === 'page') return sendHtml(res, outcome.status, outcome.html);
  res.setHeader('Cache-Control', 'no-store');
  res.redirect(method === 'POST' ? 303 : 302, outcome.url);
}
