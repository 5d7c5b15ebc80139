import { PasswordHasher } from 'src/common/password-hasher';
import { AppConfig } from 'src/config/app-config';
import { FixedClock } from '../../test/fakes/fixed-clock';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

const NOW = new Date('2026-01-01T00:00:00Z');
const LOCKOUT = { threshold: 5, baseSeconds: 60, maxSeconds: 900, resetSeconds: 43200 };

function user(overrides: Partial<User> = {}): User {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    username: 'alice',
    passwordHash: '$2b$04$hash',
    email: null,
    name: null,
    scopes: [],
    disabled: false,
    failedLoginCount: 0,
    lockedUntil: null,
    lastLoginAt: null,
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  };
}

describe(UsersService.name, () => {
  let repo: jest.Mocked<
    Pick<UsersRepository, 'findByUsername' | 'recordFailedLogin' | 'recordSuccessfulLogin'>
  >;
  let hasher: jest.Mocked<Pick<PasswordHasher, 'hash' | 'verify'>>;
  let sut: UsersService;

  const arrange = (found: User | null, passwordMatches: boolean) => {
    repo.findByUsername.mockResolvedValue(found);
    hasher.verify.mockResolvedValue(passwordMatches);
  };

  beforeEach(() => {
    repo = {
      findByUsername: jest.fn(),
      recordFailedLogin: jest.fn().mockResolvedValue(null),
      recordSuccessfulLogin: jest.fn().mockResolvedValue(true),
    };
    hasher = { hash: jest.fn().mockResolvedValue('$2b$04$dummy'), verify: jest.fn() };
    const config = { loginLockout: LOCKOUT } as AppConfig;
    sut = new UsersService(
      repo as unknown as UsersRepository,
      hasher as unknown as PasswordHasher,
      config,
      new FixedClock(NOW),
    );
  });

  it('should accept the right password and reset the failure count', async () => {
    const alice = user({ failedLoginCount: 3 });
    arrange(alice, true);
    await expect(sut.authenticate('alice', 'pw')).resolves.toEqual({ ok: true, user: alice });
    expect(hasher.verify).toHaveBeenCalledTimes(1);
    expect(repo.recordSuccessfulLogin).toHaveBeenCalledWith(alice.id, NOW);
    expect(repo.recordFailedLogin).not.toHaveBeenCalled();
  });

  it('should compare against a dummy hash and still run the failure update for an unknown user', async () => {
    arrange(null, false);
    await expect(sut.authenticate('nobody', 'pw')).resolves.toEqual({
      ok: false,
      reason: 'unknown_user',
    });
    expect(hasher.verify).toHaveBeenCalledTimes(1);
    expect(hasher.verify).toHaveBeenCalledWith('pw', '$2b$04$dummy');
    expect(repo.recordFailedLogin).toHaveBeenCalledWith('nobody', NOW, LOCKOUT);
  });

  it('should count a wrong password and report the lock it caused', async () => {
    const alice = user();
    arrange(alice, false);
    const until = new Date(NOW.getTime() + 60_000);
    repo.recordFailedLogin.mockResolvedValue({
      id: alice.id,
      failedLoginCount: 5,
      lockedUntil: until,
    });
    await expect(sut.authenticate('alice', 'wrong')).resolves.toEqual({
      ok: false,
      reason: 'bad_password',
      userId: alice.id,
      lockedNow: { until, failures: 5 },
    });
    expect(hasher.verify).toHaveBeenCalledTimes(1);
  });

  it('should refuse the right password while the account is locked, after the same single comparison', async () => {
    const alice = user({ lockedUntil: new Date(NOW.getTime() + 1000) });
    arrange(alice, true);
    await expect(sut.authenticate('alice', 'pw')).resolves.toEqual({
      ok: false,
      reason: 'locked',
      userId: alice.id,
    });
    expect(hasher.verify).toHaveBeenCalledTimes(1);
    expect(repo.recordSuccessfulLogin).not.toHaveBeenCalled();
    expect(repo.recordFailedLogin).toHaveBeenCalledTimes(1);
  });

  it('should accept the right password once the lock has expired', async () => {
    arrange(user({ lockedUntil: new Date(NOW.getTime() - 1) }), true);
    expect((await sut.authenticate('alice', 'pw')).ok).toBe(true);
  });

  it('should treat a lock set concurrently (success update refused) as locked', async () => {
    arrange(user(), true);
    repo.recordSuccessfulLogin.mockResolvedValue(false);
    await expect(sut.authenticate('alice', 'pw')).resolves.toMatchObject({
      ok: false,
      reason: 'locked',
    });
  });

  it('should refuse a disabled user with the right password', async () => {
    arrange(user({ disabled: true }), true);
    await expect(sut.authenticate('alice', 'pw')).resolves.toMatchObject({
      ok: false,
      reason: 'disabled',
    });
    expect(hasher.verify).toHaveBeenCalledTimes(1);
  });

  it('should not look up impossible usernames, yet still verify one hash', async () => {
    arrange(null, false);
    await expect(sut.authenticate('x'.repeat(129), 'pw')).resolves.toEqual({
      ok: false,
      reason: 'unknown_user',
    });
    expect(repo.findByUsername).not.toHaveBeenCalled();
    expect(hasher.verify).toHaveBeenCalledTimes(1);
  });
});
