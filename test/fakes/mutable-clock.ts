import { Clock } from 'src/common/clock';

/** A clock tests can move forward. Starts at the real time. */
export class MutableClock extends Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }

  /** Back to the real time: call it after each test, so no test inherits another's offset. */
  reset(): void {
    this.offsetMs = 0;
  }
}
