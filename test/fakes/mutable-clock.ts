import { Clock } from 'src/common/clock';

/** A clock tests can move forward. Starts at the real time; `freeze()` stops it there. */
export class MutableClock extends Clock {
  private offsetMs = 0;
  private frozenAtMs: number | null = null;

  now(): Date {
    return new Date((this.frozenAtMs ?? Date.now()) + this.offsetMs);
  }

  /** Stops the clock (at `at`, default now): only advance() moves it, however slow the machine. */
  freeze(at: Date = new Date()): this {
    this.frozenAtMs = at.getTime();
    return this;
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }

  /** Back to the start (the real time, or the frozen instant): call it after each test, so no test inherits another's offset. */
  reset(): void {
    this.offsetMs = 0;
  }
}
