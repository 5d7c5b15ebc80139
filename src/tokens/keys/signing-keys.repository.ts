import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThanOrEqual, MoreThan, Repository } from 'typeorm';
import { SigningKey, SigningKeyState } from 'src/tokens/signing-key.entity';

export type NewSigningKey = Pick<
  SigningKey,
  'kid' | 'alg' | 'publicJwk' | 'privateJwkEncrypted' | 'state' | 'createdAt' | 'activatedAt'
>;

/**
 * Serialises "create a key unless one in this state exists" across instances on one database. The
 * lock is transaction-scoped: it is released by COMMIT/ROLLBACK, never leaked.
 */
const INSERT_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtext('signing_keys'))`;

const INSERT_UNLESS_STATE_SQL = `
INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk_encrypted, state, created_at, activated_at)
SELECT $1::varchar, $2::varchar, $3::jsonb, $4::text, $5::varchar, $6::timestamptz, $7::timestamptz
WHERE NOT EXISTS (SELECT 1 FROM signing_keys WHERE state = $5::varchar)
RETURNING kid`;

/*
 * One statement: promote the next key and retire the previous active one. Concurrent promoters
 * serialise on the next key's row lock; the loser sees state <> 'next', promotes nothing and so
 * retires nothing.
 */
const PROMOTE_SQL = `
WITH promoted AS (
  UPDATE signing_keys SET state = 'active', activated_at = $2::timestamptz
  WHERE kid = $1::varchar AND state = 'next'
  RETURNING kid
), retired AS (
  UPDATE signing_keys SET state = 'retired', retired_at = $2::timestamptz, expires_at = $3::timestamptz
  WHERE state = 'active' AND kid <> $1::varchar AND EXISTS (SELECT 1 FROM promoted)
  RETURNING kid
)
SELECT (SELECT count(*) FROM promoted)::int AS promoted, (SELECT count(*) FROM retired)::int AS retired`;

@Injectable()
export class SigningKeysRepository {
  constructor(@InjectRepository(SigningKey) private readonly repo: Repository<SigningKey>) {}

  findByKid(kid: string): Promise<SigningKey | null> {
    return this.repo.findOneBy({ kid });
  }

  findByState(state: Exclude<SigningKeyState, 'retired'>): Promise<SigningKey | null> {
    return this.repo.findOne({ where: { state }, order: { createdAt: 'DESC' } });
  }

  /** Keys that belong in the JWKS at `now`: next, active, and retired ones not yet expired. */
  findPublished(now: Date): Promise<SigningKey[]> {
    return this.repo.find({
      where: [{ state: In(['next', 'active']) }, { state: 'retired', expiresAt: MoreThan(now) }],
      order: { createdAt: 'ASC' },
    });
  }

  /**
   * Inserts `key` unless a key in `key.state` already exists (safe across instances starting at
   * once); returns whether this call inserted it. Two statements on the transaction's own runner
   * only: on PGlite's single connection nothing else may run while it is held.
   */
  async insertUnlessStateExists(key: NewSigningKey): Promise<boolean> {
    return this.repo.manager.transaction(async (tx) => {
      await tx.query(INSERT_LOCK_SQL);
      const rows: unknown[] = await tx.query(INSERT_UNLESS_STATE_SQL, [
        key.kid,
        key.alg,
        JSON.stringify(key.publicJwk),
        key.privateJwkEncrypted,
        key.state,
        key.createdAt.toISOString(),
        key.activatedAt?.toISOString() ?? null,
      ]);
      return rows.length > 0;
    });
  }

  /**
   * Makes the next key `kid` active and retires the current active key until `retiredExpiresAt`,
   * atomically; returns false when `kid` was no longer the next key (another instance won).
   */
  async promote(kid: string, now: Date, retiredExpiresAt: Date): Promise<boolean> {
    const rows: Array<{ promoted: number }> = await this.repo.query(PROMOTE_SQL, [
      kid,
      now.toISOString(),
      retiredExpiresAt.toISOString(),
    ]);
    return rows[0]?.promoted === 1;
  }

  /** Removes retired keys that no unexpired token can reference any more; returns how many. */
  async deleteExpired(now: Date): Promise<number> {
    const result = await this.repo.delete({ state: 'retired', expiresAt: LessThanOrEqual(now) });
    return result.affected ?? 0;
  }
}
