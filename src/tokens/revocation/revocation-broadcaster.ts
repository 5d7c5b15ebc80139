/**
 * Tells every other instance that something was revoked, so their RevocationChecker drops what it
 * cached (docs/architecture.md §5.1, §6). Called after the database write; the local checker is updated
 * by the caller. Never rejects: a lost notice costs at most the checker's 5 s "not revoked" cache.
 */
export abstract class RevocationBroadcaster {
  /** A whole grant (token family) was revoked: every instance forgets its "not revoked" answers. */
  abstract grantRevoked(grantId: string): Promise<void>;

  /** One access token was revoked: every instance marks its jti revoked. */
  abstract tokenRevoked(jti: string): Promise<void>;
}

/** One process (PGlite): the caller's local invalidation is all there is to do. */
export class LocalRevocationBroadcaster extends RevocationBroadcaster {
  async grantRevoked(): Promise<void> {}

  async tokenRevoked(): Promise<void> {}
}
