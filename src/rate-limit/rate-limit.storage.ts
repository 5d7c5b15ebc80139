import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import Redis from 'ioredis';
import { once } from 'node:events';
import { AppConfig } from 'src/config/app-config';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** How long start-up waits for Redis before serving with per-instance counters. */
const CONNECT_WAIT_MS = 2000;
const COMMAND_TIMEOUT_MS = 500;
const WARNING_INTERVAL_MS = 30_000;

/**
 * The counters behind every rate limit. With REDIS_URL they live in Redis (one atomic script per
 * hit), so all instances share them; without it, or while Redis is unreachable, in this process.
 * A Redis outage degrades to per-instance limits instead of failing the endpoints (fail open, with
 * a warning): the limits protect availability and must not become its weakest link.
 */
@Injectable()
export class RateLimitStorage
  implements ThrottlerStorage, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger('RateLimit');
  private readonly memory = new ThrottlerStorageService();
  private readonly redis: Redis | null;
  private readonly shared: ThrottlerStorageRedisService | null;
  private lastWarning = 0;

  constructor(config: AppConfig) {
    if (!config.redisUrl) {
      this.redis = null;
      this.shared = null;
      return;
    }
    this.redis = new Redis(config.redisUrl, {
      // Never queue or retry a counter update: an unavailable Redis falls back at once.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: CONNECT_WAIT_MS,
      lazyConnect: true,
    });
    // Only the error's code: a message could carry the URL, and REDIS_URL may hold a password.
    this.redis.on('error', (err: NodeJS.ErrnoException) => this.warn('redis error', err));
    this.shared = new ThrottlerStorageRedisService(this.redis);
  }

  /** Whether counters are currently shared through Redis. */
  get usingRedis(): boolean {
    return this.redis?.status === 'ready';
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.redis) return;
    this.redis
      .connect()
      .catch((err: NodeJS.ErrnoException) => this.warn('redis connect failed', err));
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, CONNECT_WAIT_MS).unref());
    await Promise.race([once(this.redis, 'ready').then(() => undefined), timeout]).catch(
      () => undefined,
    );
    if (!this.usingRedis) this.warn('redis not ready: rate limits count per instance until it is');
  }

  async onApplicationShutdown(): Promise<void> {
    this.memory.onApplicationShutdown();
    if (!this.redis) return;
    await this.redis.quit().catch(() => this.redis?.disconnect());
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (this.shared && this.usingRedis) {
      try {
        return await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
      } catch (err) {
        this.warn('redis increment failed: counting in memory', err as NodeJS.ErrnoException);
      }
    }
    return this.memory.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  private warn(msg: string, err?: NodeJS.ErrnoException): void {
    const now = Date.now();
    if (now - this.lastWarning < WARNING_INTERVAL_MS) return;
    this.lastWarning = now;
    this.logger.warn({ msg, error: err ? (err.code ?? err.name) : undefined });
  }
}
