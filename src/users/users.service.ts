import { Injectable } from '@nestjs/common';
import { PasswordHasher } from 'src/common/password-hasher';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';

export interface NewUserInput {
  username: string;
  password: string;
  email?: string | null;
  name?: string | null;
  scopes?: string[];
}

export type AuthenticationResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'unknown_user' | 'bad_password' | 'disabled'; userId?: string };

@Injectable()
export class UsersService {
  /** A bcrypt hash of a random value, compared when the username is unknown so timing matches. */
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  findByUsername(username: string): Promise<User | null> {
    return this.users.findByUsername(username);
  }

  /**
   * Checks a username and password. Always runs one bcrypt comparison, whether or not the user
   * exists, so response time does not reveal which usernames exist.
   */
  async authenticate(username: string, password: string): Promise<AuthenticationResult> {
    const user = username.length <= 128 ? await this.users.findByUsername(username) : null;
    this.dummyHash ??= this.hasher.hash(`dummy-${Math.random()}`);
    const hash = user?.passwordHash ?? (await this.dummyHash);
    const matches = await this.hasher.verify(password.slice(0, 256), hash);
    if (!user) return { ok: false, reason: 'unknown_user' };
    if (!matches) return { ok: false, reason: 'bad_password', userId: user.id };
    if (user.disabled) return { ok: false, reason: 'disabled', userId: user.id };
    return { ok: true, user };
  }

  /** Creates the user unless the username is taken; an existing row is left exactly as it is. */
  async createIfAbsent(input: NewUserInput): Promise<boolean> {
    if (await this.users.findByUsername(input.username)) return false;
    return this.users.createIfAbsent({
      username: input.username,
      passwordHash: await this.hasher.hash(input.password),
      email: input.email ?? null,
      name: input.name ?? null,
      scopes: input.scopes ?? [],
    });
  }
}
