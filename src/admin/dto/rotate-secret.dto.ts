import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Length } from 'class-validator';

/** POST /admin/clients/:id/secret. An empty body generates a new 256-bit secret. */
export class RotateSecretDto {
  @ApiPropertyOptional({
    minLength: 16,
    maxLength: 72,
    writeOnly: true,
    description: 'A secret you choose (bcrypt)',
  })
  @IsOptional()
  @IsString()
  @Length(16, 72)
  client_secret?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  client_secret_expires_at?: string;
}
