import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { PaginationQueryDto } from './pagination.dto';
import { ToBoolean } from './validators';

/** GET /admin/users filters. */
export class ListUsersQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({ maxLength: 200, description: 'Part of the username, email or name' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}
