import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { User } from './user.entity';
import { NewUser } from './users.repository';

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

/** The administrator's view of users: create, list, partial updates. */
@Injectable()
export class UserAdminRepository {
  constructor(@InjectRepository(User) private readonly repo: Repository<User>) {}

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
