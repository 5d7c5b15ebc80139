import * as bcrypt from 'bcrypt';
import { availableParallelism } from 'node:os';

/**
 * bcrypt, with at most ~one hash per core in flight. bcrypt and jose share libuv's thread pool;
 * unbounded hashing starves token verification (docs/architecture.md §5), so extra work waits here.
 */
export class PasswordHasher {
  private active = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    private readonly cost: number,
    private readonly maxConcurrent = Math.max(1, availableParallelism()),
  ) {}

  hash(plain: string): Promise<string> {
    return this.run(() => bcrypt.hash(plain, this.cost));
  }

  /** Compares in bcrypt's constant time; false for a malformed hash instead of throwing. */
  verify(plain: string, hash: string): Promise<boolean> {
    return this.run(() => bcrypt.compare(plain, hash).catch(() => false));
  }

  private async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.maxConcurrent) {
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}
