import { Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import { AuditService } from 'src/audit/audit.service';
import { sha256Hex } from 'src/common/hashing';
import { AppConfig } from 'src/config/app-config';
import type { FailureLimitName } from 'src/config/security-config';
import { RateLimited } from 'src/oauth/errors/oauth-errors';
import { RateLimitStorage } from './rate-limit.storage';

/** One counter: a limit and what it counts by (a client_id, an address, a folded username, …). */
export interface FailureKey {
  limit: FailureLimitName;
  tracker: string;
}

/** Who made the attempt, for the audit event written when a key reaches its cap. */
export interface Attempt {
  ip?: string | null;
  userAgent?: string | null;
  /** The client_id the request claimed (never verified), for client_auth limits. */
  clientId?: string | null;
}

/**
 * Guessing limits (issue 12 item 9, docs/security.md §12.5): they count FAILED attempts — wrong
 * client credentials per client and per address, failed sign-ins per (username, address) and per
 * username with a higher cap — so a brute force meets 429 within a few attempts while a person or
 * client that gets it right is never slowed down. Once a key reaches its cap, attempts are refused
 * before any work (no bcrypt) until the key's window ends. A success clears the keys of the
 * identity that succeeded (not an address's: a guesser's own valid client or account would
 * otherwise launder its failures). Counters share the rate limits' storage (Redis with REDIS_URL).
 * The account lockout (users module) stays as it is.
 */
@Injectable()
export class GuessingLimits {
  constructor(
    private readonly config: AppConfig,
    private readonly storage: RateLimitStorage,
    private readonly audit: AuditService,
  ) {}

  /**
   * @returns the keys that have failures counted (so a success clears only those: no write when
   * there is nothing to forget).
   * @throws OAuthError rate_limited (429, Retry-After) when any key has reached its cap.
   */
  async check(keys: readonly FailureKey[]): Promise<FailureKey[]> {
    const active = this.active(keys);
    if (active.length === 0) return [];
    const counts = await this.storage.readFailures(active.map((k) => this.storageKey(k)));
    let msLeft = 0;
    active.forEach((key, i) => {
      if (counts[i].count >= this.cap(key)) msLeft = Math.max(msLeft, counts[i].msLeft);
    });
    if (msLeft > 0) {
      throw RateLimited('too many failed attempts', Math.max(1, Math.ceil(msLeft / 1000)));
    }
    return active.filter((_, i) => counts[i].count > 0);
  }

  /** Counts a failure on every key; records `rate_limit.hit` once, when a key reaches its cap. */
  async failed(keys: readonly FailureKey[], attempt: Attempt = {}): Promise<void> {
    const active = this.active(keys);
    if (active.length === 0) return;
    const windowSeconds = this.config.rateLimit.failureWindowSeconds;
    const counts = await this.storage.addFailure(
      active.map((k) => this.storageKey(k)),
      windowSeconds * 1000,
    );
    active.forEach((key, i) => {
      if (counts[i] !== this.cap(key)) return;
      this.audit.record({
        type: 'rate_limit.hit',
        outcome: 'failure',
        ip: attempt.ip ?? null,
        userAgent: attempt.userAgent ?? null,
        // The client_id is what the request claimed, unauthenticated; a username is not kept.
        clientId: key.limit.startsWith('client_auth.') ? (attempt.clientId ?? null) : null,
        details: { limit: key.limit, max_failures: this.cap(key), window_seconds: windowSeconds },
      });
    });
  }

  /** A success: the identity's failures are forgotten. */
  async succeeded(keys: readonly FailureKey[]): Promise<void> {
    const active = this.active(keys);
    if (active.length > 0) await this.storage.clearFailures(active.map((k) => this.storageKey(k)));
  }

  private active(keys: readonly FailureKey[]): FailureKey[] {
    if (!this.config.rateLimit.enabled) return [];
    return keys.filter((k) => this.cap(k) > 0);
  }

  private cap(key: FailureKey): number {
    return this.config.rateLimit.failureLimits[key.limit];
  }

  /** `<prefix>fail:<limit>:<sha256 of the tracker>`: no client_id, username or address in keys. */
  private storageKey(key: FailureKey): string {
    return `${this.config.rateLimit.keyPrefix}fail:${key.limit}:${sha256Hex(key.tracker)}`;
  }
}

/** The login keys of a sign-in attempt: per (username, address) and per username. */
export function loginFailureKeys(foldedUsername: string, ip: string): FailureKey[] {
  return [
    // Addresses as the rate limits count them (IPv6 per /64).
    { limit: 'login.username_ip', tracker: `${foldedUsername}\u0000${normalizeIp(ip)}` },
    { limit: 'login.username', tracker: foldedUsername },
  ];
}
