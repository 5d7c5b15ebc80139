import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { Clock } from 'src/common/clock';
import { AppConfig } from 'src/config/app-config';
import { SigningKey, SigningKeyState } from 'src/tokens/signing-key.entity';
import { KeyEncryption } from './key-encryption';
import { SigningKeysRepository } from './signing-keys.repository';

export const SIGNING_ALG = 'ES256';

export interface SigningKeysOptions {
  /** How long a next key sits in the JWKS before it signs; keep it above the JWKS cache max-age. */
  promoteAfterSeconds: number;
  /** How often an instance re-reads the key set, so it sees rotations done by other instances. */
  refreshSeconds: number;
  /** At most one reload per this interval when a token names a kid we do not know. */
  unknownKidReloadSeconds: number;
}

export const DEFAULT_SIGNING_KEYS_OPTIONS: SigningKeysOptions = {
  promoteAfterSeconds: 3600,
  refreshSeconds: 60,
  unknownKidReloadSeconds: 5,
};

/** Optional provider overriding some of DEFAULT_SIGNING_KEYS_OPTIONS. */
export const SIGNING_KEYS_OPTIONS = Symbol('SIGNING_KEYS_OPTIONS');

export interface ActiveSigningKey {
  kid: string;
  alg: typeof SIGNING_ALG;
  privateKey: CryptoKey;
}

/** A public JWK as published in the JWKS (RFC 7517 §4). */
export interface PublishedJwk {
  kty: string;
  crv: string;
  x: string;
  y: string;
  kid: string;
  alg: typeof SIGNING_ALG;
  use: 'sig';
}

export type RotationOutcome =
  | { action: 'created-next'; kid: string }
  | { action: 'promoted'; kid: string }
  | { action: 'none' };

interface KeySet {
  keys: SigningKey[];
  active: SigningKey | null;
  /** Clock milliseconds after which the set is re-read. */
  freshUntil: number;
}

/**
 * The ES256 signing keys shared by every instance through the database (ARCHITECTURE.md §4): one
 * active key signs; a next key is published before it signs; a retired key stays published until
 * every token it signed has expired. Each instance caches the set and re-reads it periodically.
 */
@Injectable()
export class SigningKeysService {
  private readonly logger = new Logger(SigningKeysService.name);
  private readonly options: SigningKeysOptions;
  private keySet: KeySet | null = null;
  private loading: Promise<KeySet> | null = null;
  /** Bumped by invalidate(): a load begun before it must not be cached as fresh. */
  private generation = 0;
  private creatingActive: Promise<void> | null = null;
  private lastUnknownKidReload = Number.NEGATIVE_INFINITY;
  private readonly publicKeys = new Map<string, CryptoKey>();
  private privateKey: { kid: string; key: CryptoKey } | null = null;

  constructor(
    private readonly repo: SigningKeysRepository,
    private readonly encryption: KeyEncryption,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @Optional() @Inject(SIGNING_KEYS_OPTIONS) options?: Partial<SigningKeysOptions>,
  ) {
    this.options = { ...DEFAULT_SIGNING_KEYS_OPTIONS, ...options };
  }

  /** The active key, creating the very first one if the database has none. */
  async signingKey(): Promise<ActiveSigningKey> {
    let set = await this.current();
    if (!set.active) {
      await this.createFirstActiveKey();
      set = await this.current();
    }
    const active = set.active;
    if (!active) throw new Error('no active signing key');
    if (this.privateKey?.kid !== active.kid) {
      this.privateKey = { kid: active.kid, key: await this.decryptPrivateKey(active) };
    }
    return { kid: active.kid, alg: SIGNING_ALG, privateKey: this.privateKey.key };
  }

  /**
   * The JWKS document: next, active, and retired keys whose tokens may still be unexpired. A
   * server that has signed nothing yet creates its first key here too, so a resource server that
   * fetches the JWKS before the first token finds the key that will sign it (never `keys: []`).
   */
  async jwks(): Promise<{ keys: PublishedJwk[] }> {
    const now = this.clock.now().getTime();
    let set = await this.current();
    if (!set.active) {
      await this.createFirstActiveKey();
      set = await this.current();
    }
    const keys = set.keys
      .filter((k) => k.state !== 'retired' || (k.expiresAt !== null && k.expiresAt.getTime() > now))
      .map(toPublishedJwk);
    return { keys };
  }

  /**
   * The public key for `kid`, or null. An unknown kid triggers a reload at most once per
   * unknownKidReloadSeconds, so garbage kids cannot hammer the database.
   */
  async verificationKey(kid: string): Promise<CryptoKey | null> {
    let row = (await this.current()).keys.find((k) => k.kid === kid);
    if (!row) {
      const now = this.clock.now().getTime();
      if (now - this.lastUnknownKidReload < this.options.unknownKidReloadSeconds * 1000)
        return null;
      this.lastUnknownKidReload = now;
      this.invalidate();
      row = (await this.current()).keys.find((k) => k.kid === kid);
      if (!row) return null;
    }
    let key = this.publicKeys.get(row.kid);
    if (!key) {
      key = (await importJWK(publicPart(row.publicJwk), SIGNING_ALG)) as CryptoKey;
      this.publicKeys.set(row.kid, key);
    }
    return key;
  }

  /**
   * One step of key rotation, for a scheduled job on any instance (concurrent calls are safe):
   * with no next key, create one (published, not yet signing); once the next key has been
   * published for promoteAfterSeconds, promote it and retire the active key until every token it
   * may have signed has expired. Two calls at least promoteAfterSeconds apart rotate once.
   */
  async rotate(now: Date = this.clock.now()): Promise<RotationOutcome> {
    await this.repo.deleteExpired(now);
    const next = await this.repo.findByState('next');
    let outcome: RotationOutcome = { action: 'none' };
    if (!next) {
      const kid = await this.createKey('next', now);
      if (kid) outcome = { action: 'created-next', kid };
    } else if (
      now.getTime() - next.createdAt.getTime() >=
      this.options.promoteAfterSeconds * 1000
    ) {
      // Other instances may sign with the old key until their next refresh: cover that too.
      const graceSeconds = this.config.ttl.accessToken + this.options.refreshSeconds;
      const retiredExpiresAt = new Date(now.getTime() + graceSeconds * 1000);
      if (await this.repo.promote(next.kid, now, retiredExpiresAt)) {
        this.logger.log(`signing key ${next.kid} promoted to active`);
        outcome = { action: 'promoted', kid: next.kid };
      }
    }
    if (outcome.action !== 'none') this.invalidate();
    return outcome;
  }

  /** How long a next key is published before rotate() promotes it. */
  get promotionDelaySeconds(): number {
    return this.options.promoteAfterSeconds;
  }

  /**
   * Where rotation stands, read from the database (not the cache), for a rotation schedule: since
   * when the active key signs, and when the pending next key (if any) was created.
   */
  async rotationState(): Promise<{ activeSince: Date | null; nextCreatedAt: Date | null }> {
    const active = await this.repo.findByState('active');
    const next = await this.repo.findByState('next');
    return {
      activeSince: active ? (active.activatedAt ?? active.createdAt) : null,
      nextCreatedAt: next?.createdAt ?? null,
    };
  }

  /** Deletes retired keys past their expiry (rotate() does this too); returns how many. */
  deleteExpired(now: Date = this.clock.now()): Promise<number> {
    return this.repo.deleteExpired(now);
  }

  /** Forgets the cached key set; the next call re-reads the database. */
  invalidate(): void {
    this.generation++;
    this.loading = null;
    if (this.keySet) this.keySet.freshUntil = Number.NEGATIVE_INFINITY;
  }

  private async current(): Promise<KeySet> {
    if (this.keySet && this.clock.now().getTime() < this.keySet.freshUntil) return this.keySet;
    if (!this.loading) {
      const loading = this.load().finally(() => {
        if (this.loading === loading) this.loading = null;
      });
      this.loading = loading;
    }
    return this.loading;
  }

  private async load(): Promise<KeySet> {
    const now = this.clock.now();
    const generation = this.generation;
    try {
      const keys = await this.repo.findPublished(now);
      const active = keys.filter((k) => k.state === 'active').sort(byNewestActivation)[0] ?? null;
      const set = { keys, active, freshUntil: now.getTime() + this.options.refreshSeconds * 1000 };
      if (generation !== this.generation) return { ...set, freshUntil: Number.NEGATIVE_INFINITY };
      const kids = new Set(keys.map((k) => k.kid));
      for (const kid of this.publicKeys.keys()) if (!kids.has(kid)) this.publicKeys.delete(kid);
      this.keySet = set;
      return set;
    } catch (err) {
      // Keep verifying with the keys we have while the database is away; retry soon.
      if (!this.keySet) throw err;
      this.logger.warn(`signing keys reload failed, using cached keys: ${(err as Error).message}`);
      this.keySet.freshUntil = now.getTime() + this.options.unknownKidReloadSeconds * 1000;
      return this.keySet;
    }
  }

  private async decryptPrivateKey(row: SigningKey): Promise<CryptoKey> {
    try {
      const jwk = JSON.parse(this.encryption.decrypt(row.privateJwkEncrypted, row.kid)) as JWK;
      return (await importJWK(jwk, SIGNING_ALG)) as CryptoKey;
    } catch (err) {
      this.logger.error(`signing key ${row.kid} cannot be decrypted: was APP_SECRET changed?`);
      throw err;
    }
  }

  private async createFirstActiveKey(): Promise<void> {
    this.creatingActive ??= this.createKey('active', this.clock.now())
      .then(() => this.invalidate())
      .finally(() => (this.creatingActive = null));
    return this.creatingActive;
  }

  /** Generates and stores a key in `state` unless one exists; returns its kid if stored. */
  private async createKey(
    state: Exclude<SigningKeyState, 'retired'>,
    now: Date,
  ): Promise<string | null> {
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
    const publicJwk = publicPart(await exportJWK(publicKey));
    const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
    const privateJwkEncrypted = this.encryption.encrypt(
      JSON.stringify(await exportJWK(privateKey)),
      kid,
    );
    const inserted = await this.repo.insertUnlessStateExists({
      kid,
      alg: SIGNING_ALG,
      publicJwk: { ...publicJwk },
      privateJwkEncrypted,
      state,
      createdAt: now,
      activatedAt: state === 'active' ? now : null,
    });
    if (inserted) this.logger.log(`created ${state} signing key ${kid}`);
    return inserted ? kid : null;
  }
}

/** Only the public EC members: a private `d` can never leak into the JWKS, even from a bad row. */
function publicPart(jwk: Record<string, unknown>): Pick<PublishedJwk, 'kty' | 'crv' | 'x' | 'y'> {
  return { kty: String(jwk.kty), crv: String(jwk.crv), x: String(jwk.x), y: String(jwk.y) };
}

function toPublishedJwk(key: SigningKey): PublishedJwk {
  return { ...publicPart(key.publicJwk), kid: key.kid, alg: SIGNING_ALG, use: 'sig' };
}

function byNewestActivation(a: SigningKey, b: SigningKey): number {
  return (
    (b.activatedAt?.getTime() ?? 0) - (a.activatedAt?.getTime() ?? 0) || a.kid.localeCompare(b.kid)
  );
}
