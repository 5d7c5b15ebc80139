import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { AppConfig } from 'src/config/app-config';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** A failure counter as read: how many failures, and how long until its window ends. */
export interface FailureCount {
  count: number;
  msLeft: number;
}

/** How long start-up waits for Redis before serving with per-instance counters. */
const CONNECT_WAIT_MS = 2000;
const COMMAND_TIMEOUT_MS = 500;
const WARNING_INTERVAL_MS = 30_000;
/** Bound on in-memory failure counters, so a flood of distinct keys cannot grow memory. */
const MAX_MEMORY_FAILURE_KEYS = 100_000;

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
  /** Failure counters while Redis is not in use: key → count and window end (epoch ms). */
  private readonly memoryFailures = new Map<string, { count: number; until: number }>();
  private readonly redis: Redis | null;
  private readonly shared: ThrottlerStorageRedisService | null;
  private lastWarning = 0;
  private bootstrap: Promise<void> | null = null;
  /** CLIENT SETNAME of this instance's one connection (visible in Redis' CLIENT LIST). */
  readonly connectionName = `mcp-oauth:rate-limit:${process.pid}:${randomBytes(4).toString('hex')}`;
  private shutdown: Promise<void> | null = null;

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
      connectionName: this.connectionName,
    });
    // Only the error's code: a message could carry the URL, and REDIS_URL may hold a password.
    this.redis.on('error', (err: NodeJS.ErrnoException) => this.warn('redis error', err));
    this.shared = new ThrottlerStorageRedisService(this.redis);
  }

  /** Whether counters are currently shared through Redis. */
  get usingRedis(): boolean {
    return this.redis?.status === 'ready';
  }

  /**
   * Connects once. Nest calls this hook once per provider token that resolves to this instance,
   * and ThrottlerModule registers it again as its storage: the second call must neither connect
   * again (a false "connect failed") nor wait for a "ready" that already happened.
   */
  onApplicationBootstrap(): Promise<void> {
    this.bootstrap ??= this.connect();
    return this.bootstrap;
  }

  onApplicationShutdown(): Promise<void> {
    this.shutdown ??= this.disconnect();
    return this.shutdown;
  }

  /** Whether Redis answers a PING within the command timeout (readiness). */
  async ping(): Promise<boolean> {
    if (!this.redis || !this.usingRedis) return false;
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  private async connect(): Promise<void> {
    const redis = this.redis;
    if (!redis) return;
    const ready = once(redis, 'ready').then(() => undefined);
    redis.connect().catch((err: NodeJS.ErrnoException) => this.warn('redis connect failed', err));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CONNECT_WAIT_MS);
      timer.unref();
    });
    await Promise.race([ready, timeout]).catch(() => undefined);
    clearTimeout(timer);
    if (!this.usingRedis) this.warn('redis not ready: rate limits count per instance until it is');
  }

  private async disconnect(): Promise<void> {
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

  /**
   * The guessing limits' failure counters (issue 12 item 9; see guessing-limits.ts): read, add
   * one (the window starts at a key's first failure), clear. Same Redis / memory fallback as above.
   */
  async readFailures(keys: readonly string[]): Promise<FailureCount[]> {
    if (keys.length === 0) return [];
    if (this.redis && this.usingRedis) {
      try {
        const pipeline = this.redis.pipeline();
        for (const key of keys) pipeline.get(key).pttl(key);
        const replies = (await pipeline.exec()) ?? [];
        return keys.map((_, i) => ({
          count: Number(replies[2 * i]?.[1] ?? 0) || 0,
          msLeft: Math.max(0, Number(replies[2 * i + 1]?.[1] ?? 0)),
        }));
      } catch (err) {
        this.warn('redis read failed: counting in memory', err as NodeJS.ErrnoException);
      }
    }
    const now = Date.now();
    return keys.map((key) => {
      const entry = this.memoryFailures.get(key);
      if (!entry || entry.until <= now) return { count: 0, msLeft: 0 };
      return { count: entry.count, msLeft: entry.until - now };
    });
  }

  /** Counts one failure on each key; returns the new counts. */
  async addFailure(keys: readonly string[], windowMs: number): Promise<number[]> {
    if (keys.length === 0) return [];
    if (this.redis && this.usingRedis) {
      try {
        const pipeline = this.redis.pipeline();
        for (const key of keys) pipeline.set(key, 0, 'PX', windowMs, 'NX').incr(key);
        const replies = (await pipeline.exec()) ?? [];
        return keys.map((_, i) => Number(replies[2 * i + 1]?.[1] ?? 0));
      } catch (err) {
        this.warn('redis increment failed: counting in memory', err as NodeJS.ErrnoException);
      }
    }
    const now = Date.now();
    if (this.memoryFailures.size > MAX_MEMORY_FAILURE_KEYS) this.sweepFailures(now);
    return keys.map((key) => {
      const entry = this.memoryFailures.get(key);
      if (!entry || entry.until <= now) {
        this.memoryFailures.set(key, { count: 1, until: now + windowMs });
        return 1;
      }
      entry.count++;
      return entry.count;
    });
  }

  async clearFailures(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    for (const key of keys) this.memoryFailures.delete(key);
    if (this.redis && this.usingRedis) {
      try {
        await this.redis.del(...keys);
      } catch (err) {
        this.warn('redis delete failed', err as NodeJS.ErrnoException);
      }
    }
  }

  private sweepFailures(now: number): void {
    for (const [key, entry] of this.memoryFailures) {
      if (entry.until <= now) this.memoryFailures.delete(key);
    }
    // Still too many live keys (a flood of distinct ones): drop the oldest inserted.
    while (this.memoryFailures.size > MAX_MEMORY_FAILURE_KEYS) {
      this.memoryFailures.delete(this.memoryFailures.keys().next().value!);
    }
  }

  private warn(msg: string, err?: NodeJS.ErrnoException): void {
    const now = Date.now();
    if (now - this.lastWarning < WARNING_INTERVAL_MS) return;
    this.lastWarning = now;
    this.logger.warn({ msg, error: err ? (err.code ?? err.name) : undefined });
  }
}
