import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { MAX_USER_SCOPES } from './create-user.dto';
import { SCOPE_TOKEN, Unique } from './validators';

const Given = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** PATCH /admin/users/:id: only the fields given change; null clears email or name. */
export class UpdateUserDto {
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

  @ApiPropertyOptional({ type: [String] })
  @Given()
  @IsArray()
  @ArrayMaxSize(MAX_USER_SCOPES)
  @Unique()
  @Matches(SCOPE_TOKEN, { each: true })
  scopes?: string[];

  @ApiPropertyOptional({
    description: 'true signs the person out of every application (revokes all grants)',
  })
  @Given()
  @IsBoolean()
  disabled?: boolean;
}
