import { Injectable } from '@nestjs/common';
import { PasswordHasher } from 'src/common/password-hasher';
import { User } from './user.entity';
import { UserListFilters, UsersRepository } from './users.repository';
import { NewUserInput } from './users.service';

export { UsernameTakenError } from './users.repository';

export type UserProfileChanges = Partial<Pick<User, 'email' | 'name' | 'scopes' | 'disabled'>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * User management for administrators (issue 5): accounts, profile, scopes, disabling, password
 * resets. An id that is not a UUID names no user (null), rather than reaching the uuid column.
 */
@Injectable()
export class UserManagementService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  /** @throws UsernameTakenError when the username exists. */
  async create(input: NewUserInput): Promise<User> {
    return this.users.insert({
      username: input.username,
      passwordHash: await this.hasher.hash(input.password),
      email: input.email ?? null,
      name: input.name ?? null,
      scopes: input.scopes ?? [],
    });
  }

  findById(id: string): Promise<User | null> {
    return UUID.test(id) ? this.users.findById(id) : Promise.resolve(null);
  }

  list(filters: UserListFilters): Promise<{ items: User[]; total: number }> {
    return this.users.list(filters);
  }

  /** Returns the user before and after the change, or null when there is no such user. */
  async update(
    id: string,
    changes: UserProfileChanges,
  ): Promise<{ before: User; after: User } | null> {
    const before = await this.findById(id);
    if (!before) return null;
    const after = await this.users.update(id, changes);
    return after && { before, after };
  }

  /** Sets a new password and lifts any lockout; null when there is no such user. */
  async resetPassword(id: string, password: string): Promise<User | null> {
    if (!UUID.test(id)) return null;
    return this.users.update(id, {
      passwordHash: await this.hasher.hash(password),
      failedLoginCount: 0,
      lockedUntil: null,
    });
  }
}
