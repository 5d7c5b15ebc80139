import { Injectable } from '@nestjs/common';
import { Clock } from 'src/common/clock';
import { PasswordHasher } from 'src/common/password-hasher';
import { AppConfig } from 'src/config/app-config';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';

export interface NewUserInput {
  username: string;
  password: string;
  email?: string | null;
  name?: string | null;
  scopes?: string[];
}

export type AuthenticationFailure = 'unknown_user' | 'bad_password' | 'disabled' | 'locked';

export type AuthenticationResult =
  | { ok: true; user: User }
  | {
      ok: false;
      reason: AuthenticationFailure;
      userId?: string;
      /** Set when this failure locked the account. */
      lockedNow?: { until: Date; failures: number };
    };

/** Longest username looked up; longer ones cannot exist (users.username is varchar(128)). */
const MAX_USERNAME = 128;
/** bcrypt reads at most 72 bytes; this only bounds the work of a hostile request. */
const MAX_PASSWORD = 256;

@Injectable()
export class UsersService {
  /** A bcrypt hash of a random value, compared when the username is unknown so timing matches. */
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  findByUsername(username: string): Promise<User | null> {
    return this.users.findByUsername(username);
  }

  /**
   * Checks a username and password. Every path costs the same (docs/security.md §8): one
   * lookup, exactly one bcrypt comparison (a dummy hash for an unknown user) and one atomic UPDATE
   * (which counts the failure, or resets the count on success), so neither the answer nor its
   * timing tells an unknown user, a wrong password, a disabled or a locked account apart. A locked
   * account fails even with the right password.
   */
  async authenticate(username: string, password: string): Promise<AuthenticationResult> {
    const now = this.clock.now();
    const plausible = username.length <= MAX_USERNAME;
    const user = plausible ? await this.users.findByUsername(username) : null;
    // A hash refused by the hashing budget must not stay cached as a rejection.
    this.dummyHash ??= this.hasher.hash(`dummy-${Math.random()}`).catch((err: unknown) => {
      this.dummyHash = undefined;
      throw err;
    });
    const hash = user?.passwordHash ?? (await this.dummyHash);
    const matches = await this.hasher.verify(password.slice(0, MAX_PASSWORD), hash);
    const locked = !!user?.lockedUntil && user.lockedUntil > now;
    if (user && matches && !locked && !user.disabled) {
      // The row read above may be stale: a concurrent failure can have locked the account since.
      if (await this.users.recordSuccessfulLogin(user.id, now)) return { ok: true, user };
      return { ok: false, reason: 'locked', userId: user.id };
    }
    const failed = plausible
      ? await this.users.recordFailedLogin(username, now, this.config.loginLockout)
      : null;
    if (!user) return { ok: false, reason: 'unknown_user' };
    const reason = locked ? 'locked' : !matches ? 'bad_password' : 'disabled';
    const lockedNow =
      failed?.lockedUntil && failed.lockedUntil > now
        ? { until: failed.lockedUntil, failures: failed.failedLoginCount }
        : undefined;
    return { ok: false, reason, userId: user.id, ...(lockedNow ? { lockedNow } : {}) };
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
