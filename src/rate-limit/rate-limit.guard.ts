import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModuleOptions,
  ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request } from 'express';
import { AuditService } from 'src/audit/audit.service';
import { BoundedCache } from 'src/common/bounded-cache';
import { sha256Hex } from 'src/common/hashing';
import { AppConfig } from 'src/config/app-config';
import { RateLimited } from 'src/oauth/errors/oauth-errors';
import { rateLimitedEndpoint } from './rate-limit.decorator';

/** Blocked keys remembered so that one burst writes one audit event, not one per request. */
const MAX_AUDITED_KEYS = 10_000;

/**
 * @nestjs/throttler's guard with this server's rules: only `@RateLimit` handlers are counted,
 * keys name the limit (shared by every instance through Redis), and a blocked request gets the
 * protocol error `rate_limited` (429, Retry-After) — JSON on the OAuth endpoints, a page on the
 * HTML ones — plus one `rate_limit.hit` audit event per blocked key and window.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  /** Blocked keys already audited in their current block window. */
  private readonly audited = new BoundedCache<string, true>(MAX_AUDITED_KEYS);

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return (
      !this.config.rateLimit.enabled ||
      context.getType() !== 'http' ||
      !rateLimitedEndpoint(context)
    );
  }

  /** `<prefix><limit name>:<sha256 of the tracker>`: no client_id or username in Redis keys. */
  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    name: string,
  ): string {
    return `${this.config.rateLimit.keyPrefix}${name}:${sha256Hex(tracker)}`;
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    this.recordOnce(context, detail, retryAfter);
    throw RateLimited('too many requests', retryAfter);
  }

  private recordOnce(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
    retryAfter: number,
  ): void {
    const now = Date.now();
    if (this.audited.get(detail.key, now)) return;
    this.audited.set(detail.key, true, now + retryAfter * 1000);

    const req = context.switchToHttp().getRequest<Request>();
    const name = detail.key.slice(this.config.rateLimit.keyPrefix.length).split(':')[0];
    const userAgent = req.headers['user-agent'];
    this.audit.record({
      type: 'rate_limit.hit',
      outcome: 'failure',
      ip: req.ip ?? null,
      userAgent: typeof userAgent === 'string' ? userAgent : null,
      // The client_id is what the request claimed, unauthenticated; a username is not kept.
      clientId: name.endsWith('.client') ? detail.tracker : null,
      details: {
        limit: name,
        max_requests: detail.limit,
        window_seconds: Math.round(detail.ttl / 1000),
        method: req.method,
        path: req.path.slice(0, 256),
        retry_after: retryAfter,
      },
    });
  }
}
