import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { PASSWORD_MAX, PASSWORD_MIN } from './create-user.dto';

/** POST /admin/users/:id/password. */
export class ResetPasswordDto {
  @ApiProperty({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX, writeOnly: true })
  @IsString()
  @Length(PASSWORD_MIN, PASSWORD_MAX)
  password: string;
}
