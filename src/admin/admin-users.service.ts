import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { AuditService } from 'src/audit/audit.service';
import { GrantsService } from 'src/authorization/grants.service';
import { MCP_BASELINE_SCOPES } from 'src/oauth/oauth.constants';
import { SessionService } from 'src/session/session.service';
import { UsernameTakenError } from 'src/users/user-admin.service';
import { UserAdminService } from 'src/users/user-admin.service';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQueryDto } from './dto/list-users.query.dto';
import { DEFAULT_PAGE_SIZE } from './dto/pagination.dto';
import { ResetPasswordDto } from './dto/reset-password.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { toUserResponse, UserPageDto, UserResponseDto } from './dto/user-response.dto';

const notFound = () => new NotFoundException('user not found');

/**
 * The admin API's user use cases. Disabling a person or resetting their password revokes every
 * grant they hold, so each application they connected loses its tokens, and ends every browser
 * session they have (issue 12 item 3: an old cookie must not keep minting codes). `actor` is the
 * calling administrator's client_id.
 */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly users: UserAdminService,
    private readonly grants: GrantsService,
    private readonly audit: AuditService,
    private readonly sessions: SessionService,
  ) {}

  async create(dto: CreateUserDto, actor: string): Promise<UserResponseDto> {
    try {
      const user = await this.users.create({
        username: dto.username,
        password: dto.password,
        email: dto.email ?? null,
        name: dto.name ?? null,
        scopes: dto.scopes ?? [...MCP_BASELINE_SCOPES],
      });
      this.record('user.created', user.id, actor, { username: user.username, scopes: user.scopes });
      return toUserResponse(user);
    } catch (err) {
      if (err instanceof UsernameTakenError) throw new ConflictException('username already exists');
      throw err;
    }
  }

  async list(query: ListUsersQueryDto): Promise<UserPageDto> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const offset = query.offset ?? 0;
    const page = await this.users.list({ disabled: query.disabled, q: query.q, limit, offset });
    return { items: page.items.map(toUserResponse), total: page.total, limit, offset };
  }

  async get(id: string): Promise<UserResponseDto> {
    const user = await this.users.findById(id);
    if (!user) throw notFound();
    return toUserResponse(user);
  }

  async update(id: string, dto: UpdateUserDto, actor: string): Promise<UserResponseDto> {
    const result = await this.users.update(id, {
      email: dto.email,
      name: dto.name,
      scopes: dto.scopes,
      disabled: dto.disabled,
    });
    if (!result) throw notFound();
    const { before, after } = result;
    const fields = Object.keys(dto).filter(
      (k) => (dto as Record<string, unknown>)[k] !== undefined,
    );
    if (after.disabled && !before.disabled) {
      const revokedGrants = await this.grants.revokeForUser(id, 'user_disabled');
      const endedSessions = await this.sessions.endAll(id);
      this.record('user.disabled', id, actor, {
        fields,
        revoked_grants: revokedGrants,
        ended_sessions: endedSessions,
      });
    } else {
      this.record('user.updated', id, actor, { fields });
    }
    return toUserResponse(after);
  }

  async resetPassword(id: string, dto: ResetPasswordDto, actor: string): Promise<void> {
    const user = await this.users.resetPassword(id, dto.password);
    if (!user) throw notFound();
    const revokedGrants = await this.grants.revokeForUser(id, 'password_reset');
    const endedSessions = await this.sessions.endAll(id);
    this.record('user.updated', id, actor, {
      fields: ['password'],
      revoked_grants: revokedGrants,
      ended_sessions: endedSessions,
    });
  }

  private record(
    type: 'user.created' | 'user.updated' | 'user.disabled',
    userId: string,
    actor: string,
    details: Record<string, unknown>,
  ): void {
    this.audit.record({ type, outcome: 'success', userId, details: { actor, ...details } });
  }
}
