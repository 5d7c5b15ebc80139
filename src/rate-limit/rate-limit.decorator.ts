import { ExecutionContext, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RateLimitName } from 'src/config/security-config';

/** An endpoint with its own limits (RATE_LIMITS in config/security-config.ts). */
export type RateLimitedEndpoint = RateLimitName extends `${infer E}.${string}` ? E : never;

export const RATE_LIMIT_KEY = 'rate-limit:endpoint';

/**
 * Puts a handler (or controller) under the limits of `endpoint`, e.g. `@RateLimit('token')` for
 * `token.ip` and `token.client`. Handlers without it are never limited.
 */
export const RateLimit = (endpoint: RateLimitedEndpoint) => SetMetadata(RATE_LIMIT_KEY, endpoint);

const reflector = new Reflector();

export function rateLimitedEndpoint(context: ExecutionContext): RateLimitedEndpoint | undefined {
  return reflector.getAllAndOverride<RateLimitedEndpoint | undefined>(RATE_LIMIT_KEY, [
    context.getHandler(),
    context.getClass(),
  ]);
}
