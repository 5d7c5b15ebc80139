import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
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

export interface UserListFilters {
  disabled?: boolean;
  /** Case-insensitive substring of username, email or name. */
  q?: string;
  limit: number;
  offset: number;
}

export type UserChanges = Partial<
  Pick<
    User,
    'email' | 'name' | 'scopes' | 'disabled' | 'passwordHash' | 'failedLoginCount' | 'lockedUntil'
  >
>;

/** Thrown by `insert` when the username is taken (the unique index decides, not a prior read). */
export class UsernameTakenError extends Error {
  constructor() {
    super('username already exists');
    this.name = 'UsernameTakenError';
  }
}

const UNIQUE_VIOLATION = '23505';
/** Escapes LIKE wildcards (backslash is PostgreSQL's default LIKE escape) so `q` matches literally. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** users: the protocol's lookups, login bookkeeping, and the administrator's changes. */
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
  async recordFailedLogin(
    username: string,
    now: Date,
    policy: LoginLockoutConfig,
  ): Promise<FailedLogin | null> {
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
    )) as [
      Array<{ id: string; failed_login_count: number; locked_until: string | Date | null }>,
      number,
    ];
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

  /** @throws UsernameTakenError when the username exists. */
  async insert(user: NewUser): Promise<User> {
    try {
      const result = await this.repo.insert(user as QueryDeepPartialEntity<User>);
      const id = (result.identifiers[0] as { id: string }).id;
      return (await this.repo.findOneBy({ id }))!;
    } catch (err) {
      if (
        err instanceof QueryFailedError &&
        (err.driverError as { code?: string })?.code === UNIQUE_VIOLATION
      ) {
        throw new UsernameTakenError();
      }
      throw err;
    }
  }

  async list(filters: UserListFilters): Promise<{ items: User[]; total: number }> {
    const qb = this.repo.createQueryBuilder('u');
    if (filters.disabled !== undefined)
      qb.andWhere('u.disabled = :disabled', { disabled: filters.disabled });
    if (filters.q) {
      qb.andWhere(
        '(u.username ILIKE :pattern OR u.email ILIKE :pattern OR u.name ILIKE :pattern)',
        {
          pattern: likePattern(filters.q),
        },
      );
    }
    const [items, total] = await qb
      .orderBy('u.createdAt', 'DESC')
      .addOrderBy('u.id', 'ASC')
      .skip(filters.offset)
      .take(filters.limit)
      .getManyAndCount();
    return { items, total };
  }

  /** Applies `changes`; returns the updated row, or null when no such user exists. */
  async update(id: string, changes: UserChanges): Promise<User | null> {
    // Only the fields given: an undefined value means "unchanged", never "set to null".
    const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    if (Object.keys(given).length > 0) {
      const result = await this.repo.update({ id }, given as QueryDeepPartialEntity<User>);
      if ((result.affected ?? 0) === 0) return null;
    }
    return this.repo.findOneBy({ id });
  }
}
