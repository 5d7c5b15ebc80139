import { SigningKey, SigningKeyState } from 'src/tokens/signing-key.entity';
import type { NewSigningKey, SigningKeysRepository } from 'src/tokens/keys/signing-keys.repository';

type PublicApi = Pick<
  SigningKeysRepository,
  | 'findByKid'
  | 'findByState'
  | 'findPublished'
  | 'insertUnlessStateExists'
  | 'promote'
  | 'deleteExpired'
>;

/** SigningKeysRepository in memory, with the same conditional-insert and promotion rules. */
export class InMemorySigningKeysRepository implements PublicApi {
  readonly rows = new Map<string, SigningKey>();
  /** Set to make every read fail, as when the database is unreachable. */
  failReads = false;
  reads = 0;

  asRepository(): SigningKeysRepository {
    return this as unknown as SigningKeysRepository;
  }

  async findByKid(kid: string): Promise<SigningKey | null> {
    return this.copy(this.rows.get(kid));
  }

  async findByState(state: Exclude<SigningKeyState, 'retired'>): Promise<SigningKey | null> {
    const found = [...this.rows.values()].filter((k) => k.state === state);
    found.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    return this.copy(found[0]);
  }

  async findPublished(now: Date): Promise<SigningKey[]> {
    this.reads++;
    if (this.failReads) throw new Error('database unavailable');
    return [...this.rows.values()]
      .filter((k) => k.state !== 'retired' || (k.expiresAt !== null && k.expiresAt > now))
      .map((k) => this.copy(k)!);
  }

  async insertUnlessStateExists(key: NewSigningKey): Promise<boolean> {
    if ([...this.rows.values()].some((k) => k.state === key.state)) return false;
    this.rows.set(key.kid, { ...key, retiredAt: null, expiresAt: null });
    return true;
  }

  async promote(kid: string, now: Date, retiredExpiresAt: Date): Promise<boolean> {
    const next = this.rows.get(kid);
    if (!next || next.state !== 'next') return false;
    for (const k of this.rows.values()) {
      if (k.state === 'active')
        Object.assign(k, { state: 'retired', retiredAt: now, expiresAt: retiredExpiresAt });
    }
    Object.assign(next, { state: 'active', activatedAt: now });
    return true;
  }

  async deleteExpired(now: Date): Promise<number> {
    let n = 0;
    for (const [kid, k] of this.rows) {
      if (k.state === 'retired' && k.expiresAt !== null && k.expiresAt <= now) {
        this.rows.delete(kid);
        n++;
      }
    }
    return n;
  }

  private copy(key: SigningKey | undefined): SigningKey | null {
    return key ? { ...key, publicJwk: { ...key.publicJwk } } : null;
  }
}
