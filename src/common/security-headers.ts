import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

/**
 * helmet on every response (docs/security.md §10 items 32-34): nosniff, X-Frame-Options DENY,
 * Referrer-Policy no-referrer (codes and state never leak through Referer), and HSTS only when
 * the issuer is https (browsers ignore it over http, and it would pin localhost).
 *
 * The CSP here is the deny-all one for JSON and redirects; HTML pages replace it with their own
 * (send-html.ts: the layout's style hash, `frame-ancestors 'none'`), which runs later and wins.
 */
export function securityHeaders(options: { https: boolean }): RequestHandler {
  const { set, removed } = headersOf(helmetFor(options));
  // The same headers on every response, so they are worked out once (helmet's dozen small
  // middlewares per request cost as much as the rest of a health check, docs/performance.md).
  return (_req: Request, res: Response, next: NextFunction) => {
    for (let i = 0; i < removed.length; i++) res.removeHeader(removed[i]);
    for (let i = 0; i < set.length; i++) res.setHeader(set[i][0], set[i][1]);
    next();
  };
}

/**
 * What a helmet middleware sets, read by running it once against a recording response: helmet
 * stays the source of the values, and it depends on nothing in the request (asserted in the spec).
 */
export function headersOf(middleware: RequestHandler): { set: [string, string][]; removed: string[] } {
  const set: [string, string][] = [];
  const removed: string[] = [];
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => set.push([name, String(value)]),
    removeHeader: (name: string) => removed.push(name),
    getHeader: () => undefined,
  };
  let called = false;
  middleware({ headers: {}, method: 'GET', url: '/', secure: false } as Request, res as unknown as Response, () => {
    called = true;
  });
  if (!called) throw new Error('the security-headers middleware did not finish synchronously');
  return { set, removed };
}

export function helmetFor(options: { https: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
      },
    },
    strictTransportSecurity: options.https
      ? { maxAge: 31_536_000, includeSubDomains: true }
      : false,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // COOP same-origin would cut window.opener for clients that run the authorization request in a
    // popup and wait for their callback page to post the result back.
    crossOriginOpenerPolicy: false,
    // Only no-cors loads are affected: CORS fetches of metadata, JWKS and /token still work.
    crossOriginResourcePolicy: { policy: 'same-origin' },
  }) as RequestHandler;
}
