/**
 * Answers "has this access token been revoked?" on the bearer hot path (docs/architecture.md §5).
 * Implementations cache; the invalidation hooks let a cross-instance notice (LISTEN/NOTIFY or
 * Redis pub/sub) make a revocation take effect everywhere promptly.
 */
export abstract class RevocationChecker {
  /**
   * True when the token `jti` is revoked, directly or through its grant, or unknown to the server.
   * `expiresAt` (epoch seconds, the token's `exp`) bounds how long a "revoked" answer is cached.
   */
  abstract isRevoked(jti: string, expiresAt?: number): Promise<boolean>;

  /** Records locally that `jti` is revoked (e.g. on a revocation notice from another instance). */
  abstract markRevoked(jti: string, expiresAt?: number): void;

  /** Forgets what is cached about `jti`; the next check asks the database. */
  abstract invalidate(jti: string): void;

  /** Forgets every cached "not revoked" answer (e.g. after a whole grant was revoked). */
  abstract invalidateAll(): void;
}
