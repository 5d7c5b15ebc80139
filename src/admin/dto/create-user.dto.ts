import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { SCOPE_TOKEN, Unique } from './validators';

export const USERNAME = /^[A-Za-z0-9._@+-]{1,128}$/;
export const PASSWORD_MIN = 8;
/** The login form compares at most 256 characters (UsersService.authenticate). */
export const PASSWORD_MAX = 256;
export const MAX_USER_SCOPES = 50;

/** POST /admin/users. */
export class CreateUserDto {
  @ApiProperty({ pattern: USERNAME.source, example: 'alice' })
  @IsString()
  @Matches(USERNAME)
  username: string;

  @ApiProperty({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX, writeOnly: true })
  @IsString()
  @Length(PASSWORD_MIN, PASSWORD_MAX)
  password: string;

  @ApiPropertyOptional({ format: 'email', maxLength: 320, nullable: true })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  email?: string | null;

  @ApiPropertyOptional({ maxLength: 200, nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string | null;

  @ApiPropertyOptional({
    type: [String],
    default: ['read', 'write'],
    description: 'The scopes this person may grant to applications',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_USER_SCOPES)
  @Unique()
  @Matches(SCOPE_TOKEN, { each: true })
  scopes?: string[];
}
