import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { AppConfig } from 'src/config/app-config';
import { DatabaseHealth } from 'src/database/database.health';
import { RateLimitStorage } from 'src/rate-limit/rate-limit.storage';
import { SigningKeysService } from 'src/tokens/keys/signing-keys.service';
import { ShutdownState } from './shutdown-state';

/** No check may make a probe wait longer than this. */
const CHECK_TIMEOUT_MS = 2000;

/**
 * Readiness (@nestjs/terminus): the database answers, a signing key is there and decrypts, Redis
 * answers when REDIS_URL is set, and the process is not shutting down. Any of them down: 503.
 */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly database: DatabaseHealth,
    private readonly keys: SigningKeysService,
    private readonly rateLimitStorage: RateLimitStorage,
    private readonly shutdown: ShutdownState,
    private readonly config: AppConfig,
  ) {}

  /** The terminus result, whether up (200) or down (503). */
  async check(): Promise<{ up: boolean; result: HealthCheckResult }> {
    const checks = [
      () => this.process(),
      () => this.databaseCheck(),
      () => this.signingKeysCheck(),
      ...(this.config.redisUrl ? [() => this.redisCheck()] : []),
    ];
    try {
      return { up: true, result: await this.health.check(checks) };
    } catch (err) {
      if (err instanceof ServiceUnavailableException)
        return { up: false, result: err.getResponse() as HealthCheckResult };
      throw err;
    }
  }

  private process(): HealthIndicatorResult {
    const session = this.indicator.check('process');
    return this.shutdown.draining ? session.down({ message: 'shutting down' }) : session.up();
  }

  private async databaseCheck(): Promise<HealthIndicatorResult> {
    const session = this.indicator.check('database');
    return (await this.database.ping(CHECK_TIMEOUT_MS))
      ? session.up({ kind: this.config.db.kind === 'postgres' ? 'postgresql' : 'pglite' })
      : session.down({ message: 'not answering' });
  }

  private async signingKeysCheck(): Promise<HealthIndicatorResult> {
    const session = this.indicator.check('signing_keys');
    const ok = await withTimeout(
      this.keys.signingKey().then(
        () => true,
        () => false,
      ),
    );
    return ok ? session.up() : session.down({ message: 'no usable active signing key' });
  }

  private async redisCheck(): Promise<HealthIndicatorResult> {
    const session = this.indicator.check('redis');
    return (await withTimeout(this.rateLimitStorage.ping()))
      ? session.up()
      : session.down({ message: 'not answering: rate limits count per instance' });
  }
}

async function withTimeout(check: Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
