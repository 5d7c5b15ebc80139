/** Callbacks a transport feeds while it runs. */
export interface RevocationTransportHandlers {
  /** A payload published by any instance, this one included. */
  onMessage(payload: string): void;
  /**
   * The subscription is (re)established: notices sent while it was down are lost, so whatever was
   * cached from that time must be forgotten.
   */
  onSubscribed(): void;
}

/** A publish/subscribe channel shared by every instance: PostgreSQL LISTEN/NOTIFY or Redis. */
export interface RevocationTransport {
  /** Subscribes, retrying in the background on failure; resolves once subscribed or given up for now. */
  start(handlers: RevocationTransportHandlers): Promise<void>;
  publish(payload: string): Promise<void>;
  stop(): Promise<void>;
}

/** Delay before reconnection attempt `attempt` (1, 2, …): exponential, capped, with ±20 % jitter. */
export function reconnectDelayMs(
  attempt: number,
  random: () => number = Math.random,
  baseMs = 500,
  maxMs = 30_000,
): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.8 + 0.4 * random()));
}

/** Rejects after `ms` unless `promise` settles first. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
