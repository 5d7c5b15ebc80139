import { SessionService } from 'src/session/session.service';
import { ConflictException, NotFoundException } from '@nestjs/common';
import { AuditService } from 'src/audit/audit.service';
import { GrantsService } from 'src/authorization/grants.service';
import { UsernameTakenError } from 'src/users/user-admin.service';
import { UserAdminService } from 'src/users/user-admin.service';
import { User } from 'src/users/user.entity';
import { AdminUsersService } from './admin-users.service';

const user = (overrides: Partial<User> = {}): User =>
  Object.assign(new User(), {
    id: '6f1c1c1e-8f5e-4c1a-9a55-1d2f3a4b5c6d',
    username: 'alice',
    passwordHash: '$2b$04$hash',
    email: null,
    name: null,
    scopes: ['read'],
    disabled: false,
    failedLoginCount: 0,
    lockedUntil: null,
    lastLoginAt: null,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  });

describe(AdminUsersService.name, () => {
  let users: {
    create: jest.Mock;
    findById: jest.Mock;
    list: jest.Mock;
    update: jest.Mock;
    resetPassword: jest.Mock;
  };
  let grants: { revokeForUser: jest.Mock };
  let audit: { record: jest.Mock };
  let sessions: { endAll: jest.Mock };
  let sut: AdminUsersService;

  beforeEach(() => {
    users = {
      create: jest.fn(),
      findById: jest.fn(),
      list: jest.fn(),
      update: jest.fn(),
      resetPassword: jest.fn(),
    };
    grants = { revokeForUser: jest.fn().mockResolvedValue(2) };
    audit = { record: jest.fn() };
    sessions = { endAll: jest.fn().mockResolvedValue(1) };
    sut = new AdminUsersService(
      users as unknown as UserAdminService,
      grants as unknown as GrantsService,
      audit as unknown as AuditService,
      sessions as unknown as SessionService,
    );
  });

  it('should create a user and answer without the hash', async () => {
    users.create.mockResolvedValue(user());
    const res = await sut.create({ username: 'alice', password: 'a-good-password' }, 'admin-1');
    expect(users.create).toHaveBeenCalledWith(
      expect.objectContaining({ scopes: ['read', 'write'] }),
    );
    expect(JSON.stringify(res)).not.toMatch(/hash|password/i);
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({ type: 'user.created', userId: user().id }),
    );
    expect(JSON.stringify(audit.record.mock.calls)).not.toContain('a-good-password');
  });

  it('should turn a taken username into 409', async () => {
    users.create.mockRejectedValue(new UsernameTakenError());
    await expect(
      sut.create({ username: 'alice', password: 'a-good-password' }, 'a'),
    ).rejects.toBeInstanceOf(ConflictException);
  });

  it('should revoke every grant when the user becomes disabled and record user.disabled', async () => {
    users.update.mockResolvedValue({ before: user(), after: user({ disabled: true }) });
    await sut.update(user().id, { disabled: true }, 'admin-1');
    expect(grants.revokeForUser).toHaveBeenCalledWith(user().id, 'user_disabled');
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({
        type: 'user.disabled',
        details: { actor: 'admin-1', fields: ['disabled'], revoked_grants: 2, ended_sessions: 1 },
      }),
    );
    expect(sessions.endAll).toHaveBeenCalledWith(user().id);
  });

  it('should not revoke anything for other changes', async () => {
    users.update.mockResolvedValue({
      before: user({ disabled: true }),
      after: user({ disabled: true, name: 'A' }),
    });
    await sut.update(user().id, { name: 'A', disabled: true }, 'admin-1');
    expect(grants.revokeForUser).not.toHaveBeenCalled();
    expect(sessions.endAll).not.toHaveBeenCalled();
    expect(audit.record).toHaveBeenCalledWith(expect.objectContaining({ type: 'user.updated' }));
  });

  it('should revoke every grant after a password reset', async () => {
    users.resetPassword.mockResolvedValue(user());
    await sut.resetPassword(user().id, { password: 'a-new-password' }, 'admin-1');
    expect(grants.revokeForUser).toHaveBeenCalledWith(user().id, 'password_reset');
    expect(sessions.endAll).toHaveBeenCalledWith(user().id);
  });

  it('should answer NotFound for an unknown user', async () => {
    users.findById.mockResolvedValue(null);
    users.update.mockResolvedValue(null);
    users.resetPassword.mockResolvedValue(null);
    await expect(sut.get('x')).rejects.toBeInstanceOf(NotFoundException);
    await expect(sut.update('x', { name: 'a' }, 'a')).rejects.toBeInstanceOf(NotFoundException);
    await expect(
      sut.resetPassword('x', { password: 'a-new-password' }, 'a'),
    ).rejects.toBeInstanceOf(NotFoundException);
    expect(grants.revokeForUser).not.toHaveBeenCalled();
  });
});
