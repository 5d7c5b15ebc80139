import { PasswordHasher } from 'src/common/password-hasher';
import { UserManagementService } from './user-management.service';
import { User } from './user.entity';
import { NewUser, UserChanges, UsernameTakenError, UsersRepository } from './users.repository';

const ID = '6f1c1c1e-8f5e-4c1a-9a55-1d2f3a4b5c6d';

/** users in memory, behind both repositories the service uses. */
class InMemoryUsers {
  readonly rows = new Map<string, User>();
  readonly lookups: string[] = [];

  readonly users = {
    findById: async (id: string) => {
      this.lookups.push(id);
      return this.rows.get(id) ?? null;
    },

    insert: async (user: NewUser) => {
      if ([...this.rows.values()].some((u) => u.username === user.username))
        throw new UsernameTakenError();
      const row = Object.assign(new User(), {
        id: ID,
        email: null,
        name: null,
        scopes: [],
        disabled: false,
        failedLoginCount: 0,
        lockedUntil: null,
        lastLoginAt: null,
        createdAt: new Date(),
        updatedAt: new Date(),
        ...user,
      });
      this.rows.set(row.id, row);
      return row;
    },
    update: async (id: string, changes: UserChanges) => {
      const row = this.rows.get(id);
      if (!row) return null;
      const next = Object.assign(
        new User(),
        row,
        Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)),
      );
      this.rows.set(id, next);
      return next;
    },
  } as unknown as UsersRepository;
}

describe(UserManagementService.name, () => {
  let db: InMemoryUsers;
  let hasher: PasswordHasher;
  let sut: UserManagementService;

  beforeEach(() => {
    db = new InMemoryUsers();
    hasher = new PasswordHasher(4);
    sut = new UserManagementService(db.users, hasher);
  });

  it('should create a user with a bcrypt hash of the password', async () => {
    const user = await sut.create({
      username: 'alice',
      password: 'correct horse',
      scopes: ['read'],
    });
    expect(user).toMatchObject({ username: 'alice', scopes: ['read'], email: null, name: null });
    expect(await hasher.verify('correct horse', user.passwordHash)).toBe(true);
  });

  it('should let UsernameTakenError through for a duplicate', async () => {
    await sut.create({ username: 'alice', password: 'correct horse' });
    await expect(sut.create({ username: 'alice', password: 'another one' })).rejects.toBeInstanceOf(
      UsernameTakenError,
    );
  });

  it('should answer null for an id that is not a UUID without asking the database', async () => {
    expect(await sut.findById('not-a-uuid')).toBeNull();
    expect(await sut.update("1' OR 1=1 --", { name: 'x' })).toBeNull();
    expect(await sut.resetPassword('42', 'a new password')).toBeNull();
    expect(db.lookups).toEqual([]);
  });

  it('should return the user before and after an update', async () => {
    await sut.create({ username: 'alice', password: 'correct horse' });
    const result = await sut.update(ID, { disabled: true, email: undefined });
    expect(result!.before.disabled).toBe(false);
    expect(result!.after.disabled).toBe(true);
  });

  it('should reset the password and lift a lockout', async () => {
    const user = await sut.create({ username: 'alice', password: 'correct horse' });
    db.rows.set(
      ID,
      Object.assign(new User(), user, { failedLoginCount: 7, lockedUntil: new Date() }),
    );
    const updated = await sut.resetPassword(ID, 'battery staple');
    expect(updated).toMatchObject({ failedLoginCount: 0, lockedUntil: null });
    expect(await hasher.verify('battery staple', updated!.passwordHash)).toBe(true);
    expect(await hasher.verify('correct horse', updated!.passwordHash)).toBe(false);
  });
});
