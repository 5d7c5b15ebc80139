import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { LoginLockoutConfig } from 'src/config/security-config';
import { User } from './user.entity';

/** The account's state after a failed login was counted. */
export interface FailedLogin {
  id: string;
  failedLoginCount: number;
  lockedUntil: Date | null;
}

// The count after this failure: a lock that ended more than resetSeconds ago is forgotten.
const NEXT_COUNT = `(CASE WHEN locked_until IS NOT NULL
                       AND locked_until <= $2::timestamptz - make_interval(secs => $6::float8)
                     THEN 1 ELSE failed_login_count + 1 END)`;

export type NewUser = Pick<User, 'username' | 'passwordHash'> &
  Partial<Pick<User, 'email' | 'name' | 'scopes' | 'disabled'>>;

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly repo: Repository<User>) {}

  findById(id: string): Promise<User | null> {
    return this.repo.findOneBy({ id });
  }

  findByUsername(username: string): Promise<User | null> {
    return this.repo.findOneBy({ username });
  }

  /** Inserts unless the username exists; returns whether a row was created. */
  async createIfAbsent(user: NewUser): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .insert()
      .into(User)
      .values(user)
      .orIgnore()
      .returning(['id'])
      .execute();
    return result.raw.length > 0;
  }

  /**
   * Counts one failed login for `username` in a single atomic UPDATE, locking the account once the
   * count reaches the threshold (base × 2^(count − threshold) seconds, capped). Nothing is counted
   * for an unknown, disabled or currently locked account; the statement runs all the same, so
   * every failure costs the same round trip.
   */
  async recordFailedLogin(username: string, now: Date, policy: LoginLockoutConfig): Promise<FailedLogin | null> {
    const [rows] = (await this.repo.query(
      `UPDATE users SET
         failed_login_count = ${NEXT_COUNT},
         locked_until = CASE WHEN $3::int > 0 AND ${NEXT_COUNT} >= $3::int
           THEN $2::timestamptz + make_interval(secs => LEAST($5::float8,
                  $4::float8 * power(2::float8, LEAST(${NEXT_COUNT} - $3::int, 30))))
           ELSE NULL END
       WHERE username = $1 AND NOT disabled AND (locked_until IS NULL OR locked_until <= $2::timestamptz)
       RETURNING id, failed_login_count, locked_until`,
      [username, now, policy.threshold, policy.baseSeconds, policy.maxSeconds, policy.resetSeconds],
    )) as [Array<{ id: string; failed_login_count: number; locked_until: string | Date | null }>, number];
    if (!rows.length) return null;
    const row = rows[0];
    return {
      id: row.id,
      failedLoginCount: Number(row.failed_login_count),
      lockedUntil: row.locked_until === null ? null : new Date(row.locked_until),
    };
  }

  /**
   * A successful login: resets the failure count, unless the account was locked meanwhile (a
   * concurrent failure may have locked it after the row was read). Returns whether it was reset.
   */
  async recordSuccessfulLogin(id: string, now: Date): Promise<boolean> {
    const [rows] = (await this.repo.query(
      `UPDATE users SET failed_login_count = 0, locked_until = NULL, last_login_at = $2::timestamptz
        WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2::timestamptz)
        RETURNING id`,
      [id, now],
    )) as [Array<{ id: string }>, number];
    return rows.length > 0;
  }

  async create(user: NewUser): Promise<User> {
    return this.repo.save(this.repo.create(user));
  }
}
