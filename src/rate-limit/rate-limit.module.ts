import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from 'src/config/app-config';
import { GuessingLimits } from './guessing-limits';
import { rateLimitThrottlers } from './rate-limit-throttlers';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimitStorage } from './rate-limit.storage';

/**
 * Holds the counters; its own module so the throttler options can inject it. Also the guessing
 * limits (failed attempts, issue 12 item 9), which the login and the client authenticator use.
 */
@Module({ providers: [RateLimitStorage, GuessingLimits], exports: [RateLimitStorage, GuessingLimits] })
export class RateLimitStorageModule {}

/**
 * Rate limits (docs/security.md §10 item 45) on the handlers marked `@RateLimit(...)`: @nestjs/throttler
 * with one throttler per configured limit, counters in Redis when REDIS_URL is set.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStorageModule],
      inject: [AppConfig, RateLimitStorage],
      useFactory: (config: AppConfig, storage: RateLimitStorage) => ({
        throttlers: rateLimitThrottlers(config.rateLimit),
        storage,
        setHeaders: false,
      }),
    }),
    RateLimitStorageModule,
  ],
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
})
export class RateLimitModule {}
