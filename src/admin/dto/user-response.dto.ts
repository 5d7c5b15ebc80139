import { ApiProperty } from '@nestjs/swagger';
import type { User } from 'src/users/user.entity';

/** A user as the admin API shows it: never the password hash. */
export class UserResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() username: string;
  @ApiProperty({ type: String, nullable: true }) email: string | null;
  @ApiProperty({ type: String, nullable: true }) name: string | null;
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty() disabled: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) locked_until: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_login_at: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class UserPageDto {
  @ApiProperty({ type: [UserResponseDto] }) items: UserResponseDto[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Explicit field by field, so nothing new on the entity (like a hash) leaks by default. */
export function toUserResponse(u: User): UserResponseDto {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    name: u.name,
    scopes: u.scopes,
    disabled: u.disabled,
    locked_until: iso(u.lockedUntil),
    last_login_at: iso(u.lastLoginAt),
    created_at: u.createdAt.toISOString(),
    updated_at: u.updatedAt.toISOString(),
  };
}
