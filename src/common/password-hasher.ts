import * as bcrypt from 'bcrypt';
import { availableParallelism } from 'node:os';
import { EventLoopUtilization, performance } from 'node:perf_hooks';

/** The password-hashing budget of one process (docs/performance.md, "Password hashing budget"). */
export interface PasswordHashBudget {
  /** Hashes in flight at most (bcrypt runs on libuv's pool, which jose's WebCrypto shares). */
  concurrency: number;
  /**
   * Share of the process's CPU time (its cores: `availableParallelism()`) hashing may use while
   * the process is busy with other requests, averaged over `BURST_WINDOW_MS`; a burst may spend
   * one window's worth at once. When the event loop is idle, hashing may use the idle share.
   */
  cpuShare: number;
  /** Hashes waiting at most; one more is refused at once. */
  maxQueue: number;
  /** A waiting hash gives up after this long. */
  maxWaitMs: number;
}

export const DEFAULT_HASH_BUDGET: PasswordHashBudget = {
  concurrency: 2,
  cpuShare: 0.1,
  maxQueue: 64,
  maxWaitMs: 2000,
};

/** The averaging window of the CPU share, and the largest burst it allows. */
export const BURST_WINDOW_MS = 10_000;
/** How often the event loop's utilisation is sampled for the idle share. */
const ELU_SAMPLE_MS = 250;

/**
 * Thrown when the hashing budget is spent and the queue is full or the wait ran out: the caller
 * answers 503 with Retry-After (OAuthErrorFilter), fast, instead of letting password work take the
 * CPU that bearer checks and token requests need.
 */
export class PasswordHashingBusyError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('password hashing is at capacity');
    this.name = 'PasswordHashingBusyError';
  }
}

interface Waiter {
  start: () => void;
  timer: NodeJS.Timeout;
}

/**
 * bcrypt under admission control: at most `concurrency` hashes in flight, and a CPU-time budget
 * (a token bucket in milliseconds of hashing, refilled at `cpuShare` of the process's cores, or at
 * the share the event loop leaves idle when that is more: hashing never starves requests, and an
 * otherwise idle server signs people in at full speed). Each
 * hash is charged its wall time, which overstates its CPU when it shares a core, so the error is
 * on the side of the requests the budget protects. Work beyond the budget waits in order, at most
 * `maxQueue` deep and `maxWaitMs` long; anything else is refused with PasswordHashingBusyError.
 */
export class PasswordHasher {
  private readonly budget: PasswordHashBudget;
  private readonly minRefillPerMs: number;
  private refillPerMs: number;
  private readonly capacityMs: number;
  private readonly cores: number;
  private elu: EventLoopUtilization = performance.eventLoopUtilization();
  private lastEluSample = performance.now();
  private active = 0;
  private readonly queue: Waiter[] = [];
  /** Milliseconds of hashing the budget allows now; negative while in debt. */
  private balanceMs: number;
  private lastRefill = performance.now();
  private wakeTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly cost: number,
    budget: Partial<PasswordHashBudget> = {},
    cores = Math.max(1, availableParallelism()),
  ) {
    this.budget = { ...DEFAULT_HASH_BUDGET, ...budget };
    this.cores = cores;
    this.minRefillPerMs = this.budget.cpuShare * cores;
    this.refillPerMs = this.minRefillPerMs;
    this.capacityMs = this.minRefillPerMs * BURST_WINDOW_MS;
    this.balanceMs = this.capacityMs;
  }

  hash(plain: string): Promise<string> {
    return this.run(() => bcrypt.hash(plain, this.cost));
  }

  /** Compares in bcrypt's constant time; false for a malformed hash instead of throwing. */
  verify(plain: string, hash: string): Promise<boolean> {
    return this.run(() => bcrypt.compare(plain, hash).catch(() => false));
  }

  /** Hashes running and waiting for a slot, and the budget left (for metrics: the bcrypt queue). */
  stats(): { active: number; queued: number; balanceMs: number } {
    this.refill();
    return { active: this.active, queued: this.queue.length, balanceMs: Math.round(this.balanceMs) };
  }

  private async run<T>(task: () => Promise<T>): Promise<T> {
    await this.admit();
    const started = performance.now();
    try {
      return await task();
    } finally {
      this.refill();
      // The debt is bounded by one window: a hash slowed down by a busy machine (boot, other
      // processes) must not lock hashing out for longer than that once the load is gone.
      this.balanceMs = Math.max(-this.capacityMs, this.balanceMs - (performance.now() - started));
      this.active--;
      this.dispatch();
    }
  }

  private admit(): Promise<void> {
    if (this.queue.length === 0 && this.canStart()) {
      this.active++;
      return Promise.resolve();
    }
    if (this.queue.length >= this.budget.maxQueue)
      return Promise.reject(new PasswordHashingBusyError(this.retryAfterSeconds()));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(new PasswordHashingBusyError(this.retryAfterSeconds()));
        }, this.budget.maxWaitMs),
      };
      this.queue.push(waiter);
      this.dispatch();
    });
  }

  private canStart(): boolean {
    this.refill();
    return this.active < this.budget.concurrency && this.balanceMs > 0;
  }

  /** Starts queued hashes while the budget allows; otherwise wakes up when it will. */
  private dispatch(): void {
    while (this.queue.length > 0 && this.canStart()) {
      this.active++;
      this.queue.shift()!.start();
    }
    if (this.queue.length > 0 && this.active < this.budget.concurrency && !this.wakeTimer) {
      // Re-checked at least every sample: the idle share may have grown meanwhile.
      const waitMs = Math.min(
        ELU_SAMPLE_MS,
        Math.max(1, Math.ceil(-this.balanceMs / this.refillPerMs) + 1),
      );
      this.wakeTimer = setTimeout(() => {
        this.wakeTimer = null;
        this.dispatch();
      }, waitMs);
      this.wakeTimer.unref();
    }
  }

  private refill(): void {
    const now = performance.now();
    if (now - this.lastEluSample >= ELU_SAMPLE_MS) {
      const current = performance.eventLoopUtilization();
      const busy = performance.eventLoopUtilization(current, this.elu).utilization;
      this.elu = current;
      this.lastEluSample = now;
      this.refillPerMs = Math.max(this.minRefillPerMs, (1 - busy) * this.cores);
    }
    this.balanceMs = Math.min(this.capacityMs, this.balanceMs + (now - this.lastRefill) * this.refillPerMs);
    this.lastRefill = now;
  }

  /** When the budget is likely to admit again: the debt to pay back plus the queue ahead. */
  private retryAfterSeconds(): number {
    const debtMs = Math.max(0, -this.balanceMs) / this.refillPerMs;
    return Math.max(1, Math.ceil((debtMs + this.budget.maxWaitMs) / 1000));
  }
}
