/** Time source, injected so expiry and rotation are testable with a fixed clock. */
export abstract class Clock {
  abstract now(): Date;

  /** Seconds since the epoch, as used in JWT claims. */
  nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  /** The instant `seconds` from now. */
  in(seconds: number): Date {
    return new Date(this.now().getTime() + seconds * 1000);
  }
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
