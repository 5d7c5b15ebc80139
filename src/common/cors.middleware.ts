import type { NextFunction, Request, Response } from 'express';

/**
 * `Access-Control-Allow-Origin: *` for endpoints browsers may call cross-origin without cookies:
 * metadata, JWKS, token, revocation, introspection, registration (docs/security.md §10 item 42). The
 * authorization endpoint and the HTML pages get none. Preflights are answered here.
 */
const PUBLIC_CORS_PATHS = [
  /^\/\.well-known\//,
  /^\/(oauth\/)?(token|revoke|introspect|register)(\/|$)/,
];

export function publicCorsMiddleware(req: Request, res: Response, next: NextFunction): void {
  if (!PUBLIC_CORS_PATHS.some((p) => p.test(req.path))) return next();
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'WWW-Authenticate, Retry-After');
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, MCP-Protocol-Version');
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
    return;
  }
  next();
}
