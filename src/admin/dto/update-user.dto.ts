import { ApiPropertyOptional, PickType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  Matches,
  ValidateIf,
} from 'class-validator';
import { CreateUserDto, MAX_USER_SCOPES } from './create-user.dto';
import { SCOPE_TOKEN, Unique } from './validators';

const Given = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** PATCH /admin/users/:id: only the fields given change; null clears email or name. */
export class UpdateUserDto extends PickType(CreateUserDto, ['email', 'name'] as const) {
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
