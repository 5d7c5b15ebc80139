import type { RequestHandler } from 'express';
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
