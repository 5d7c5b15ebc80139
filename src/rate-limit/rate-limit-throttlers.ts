import type { ThrottlerOptions } from '@nestjs/throttler';
import { RateLimitConfig, RateLimitName } from 'src/config/security-config';
import { rateLimitedEndpoint } from './rate-limit.decorator';
import { RateLimitKey, trackerOf, TrackedRequest } from './rate-limit-trackers';

/**
 * One @nestjs/throttler throttler per configured limit, named as in RATE_LIMITS (`token.client`).
 * A throttler applies only to handlers marked with its endpoint, and only when the request carries
 * what it counts by (a login form without a username is counted per IP alone).
 */
export function rateLimitThrottlers(config: RateLimitConfig): ThrottlerOptions[] {
  const ttl = config.windowSeconds * 1000;
  return (Object.entries(config.limits) as [RateLimitName, number][])
    .filter(([, limit]) => limit > 0)
    .map(([name, limit]) => {
      const [endpoint, key] = name.split('.') as [string, RateLimitKey];
      const tracker = (req: TrackedRequest) => trackerOf(key, req);
      return {
        name,
        limit,
        ttl,
        blockDuration: ttl,
        skipIf: (context) =>
          rateLimitedEndpoint(context) !== endpoint ||
          tracker(context.switchToHttp().getRequest<TrackedRequest>()) === undefined,
        getTracker: (req) => tracker(req as TrackedRequest) ?? '',
      } satisfies ThrottlerOptions;
    });
}
