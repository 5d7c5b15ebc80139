import { Controller, Get, INestApplication, Post } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { ThrottlerModule } from '@nestjs/throttler';
import express from 'express';
import request from 'supertest';
import { AuditService } from 'src/audit/audit.service';
import { AppConfig } from 'src/config/app-config';
import { RateLimitConfig, RATE_LIMITS, RateLimitName } from 'src/config/security-config';
import { OAuthErrorFilter } from 'src/oauth/errors/oauth-error.filter';
import { rateLimitThrottlers } from './rate-limit-throttlers';
import { RateLimit } from './rate-limit.decorator';
import { RateLimitGuard } from './rate-limit.guard';

@Controller()
class ProbeController {
  @Post('token')
  @RateLimit('token')
  token(): { ok: true } {
    return { ok: true };
  }

  @Get('free')
  free(): { ok: true } {
    return { ok: true };
  }
}

function limits(overrides: Partial<Record<RateLimitName, number>>): Record<RateLimitName, number> {
  const none = Object.fromEntries(Object.keys(RATE_LIMITS).map((n) => [n, 0])) as Record<
    RateLimitName,
    number
  >;
  return { ...none, ...overrides };
}

async function boot(
  rateLimit: RateLimitConfig,
  audit: { record: jest.Mock },
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ThrottlerModule.forRoot({ throttlers: rateLimitThrottlers(rateLimit), setHeaders: false }),
    ],
    controllers: [ProbeController],
    providers: [
      { provide: AppConfig, useValue: { rateLimit } },
      { provide: AuditService, useValue: audit },
      { provide: APP_GUARD, useClass: RateLimitGuard },
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false, bodyParser: false });
  app.use(express.urlencoded({ extended: false }));
  app.useGlobalFilters(new OAuthErrorFilter('json'));
  await app.init();
  return app;
}

describe(RateLimitGuard.name, () => {
  const config = (enabled: boolean): RateLimitConfig => ({
    enabled,
    windowSeconds: 60,
    keyPrefix: 'p:',
    limits: limits({ 'token.client': 2, 'token.ip': 100 }),
    failureWindowSeconds: 300,
    failureLimits: {
      'client_auth.client': 0,
      'client_auth.ip': 0,
      'login.username_ip': 0,
      'login.username': 0,
    },
  });
  let app: INestApplication;
  let audit: { record: jest.Mock };

  afterEach(() => app.close());

  it('should answer 429 rate_limited with Retry-After past the limit, and audit the key once', async () => {
    audit = { record: jest.fn() };
    app = await boot(config(true), audit);
    const call = (clientId: string) =>
      request(app.getHttpServer()).post('/token').type('form').send({ client_id: clientId });
    await call('a').expect(201);
    await call('a').expect(201);
    const limited = await call('a').expect(429);
    expect(limited.body).toEqual({ error: 'rate_limited', error_description: 'too many requests' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['x-ratelimit-limit']).toBeUndefined();
    await call('a').expect(429);
    await call('b').expect(201);
    expect(audit.record).toHaveBeenCalledTimes(1);
    expect(audit.record.mock.calls[0][0]).toMatchObject({
      type: 'rate_limit.hit',
      outcome: 'failure',
      clientId: 'a',
      details: {
        limit: 'token.client',
        max_requests: 2,
        window_seconds: 60,
        method: 'POST',
        path: '/token',
      },
    });
  });

  it('should never count a handler without @RateLimit', async () => {
    audit = { record: jest.fn() };
    app = await boot({ ...config(true), limits: limits({ 'token.ip': 1 }) }, audit);
    for (let i = 0; i < 5; i++) await request(app.getHttpServer()).get('/free').expect(200);
  });

  it('should count nothing when RATE_LIMIT_ENABLED is false', async () => {
    audit = { record: jest.fn() };
    app = await boot(config(false), audit);
    for (let i = 0; i < 5; i++) {
      await request(app.getHttpServer())
        .post('/token')
        .type('form')
        .send({ client_id: 'a' })
        .expect(201);
    }
    expect(audit.record).not.toHaveBeenCalled();
  });
});
