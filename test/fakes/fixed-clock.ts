import { Clock } from 'src/common/clock';

/** A clock that moves only when told to: deterministic expiry and rotation in unit specs. */
export class FixedClock extends Clock {
  private current: Date;

  constructor(start: Date | string = '2026-01-01T00:00:00Z') {
    super();
    this.current = new Date(start);
  }

  now(): Date {
    return new Date(this.current.getTime());
  }

  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}
