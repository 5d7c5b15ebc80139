/**
 * Tells every other instance that something was revoked, so their RevocationChecker drops what it
 * cached (and that a client changed, so their client cache drops it) (docs/architecture.md §5.1, §6). Called after the database write; the local checker is updated
 * by the caller. Never rejects: a lost notice costs at most the checker's 5 s "not revoked" cache.
 */
export abstract class RevocationBroadcaster {
  private readonly clientListeners: Array<(clientId: string) => void> = [];

  /** A whole grant (token family) was revoked: every instance forgets its "not revoked" answers. */
  abstract grantRevoked(grantId: string): Promise<void>;

  /** One access token was revoked: every instance marks its jti revoked. */
  abstract tokenRevoked(jti: string): Promise<void>;

  /**
   * A client record was changed or deleted: every other instance drops its cached copy. The
   * caller drops its own.
   */
  abstract clientChanged(clientId: string): Promise<void>;

  /**
   * `listener` runs for every client another instance changed, with `CLIENT_WILDCARD` when any
   * client may have changed (many at once, or notices were missed while the channel was down).
   */
  onClientChanged(listener: (clientId: string) => void): void {
    this.clientListeners.push(listener);
  }

  protected emitClientChanged(clientId: string): void {
    for (const listener of this.clientListeners) listener(clientId);
  }
}

/** "Every client": the id of a client notice that stands for all of them. */
export const CLIENT_WILDCARD = '*';

/** One process (PGlite): the caller's local invalidation is all there is to do. */
export class LocalRevocationBroadcaster extends RevocationBroadcaster {
  async grantRevoked(): Promise<void> {}

  async tokenRevoked(): Promise<void> {}

  async clientChanged(): Promise<void> {}
}
