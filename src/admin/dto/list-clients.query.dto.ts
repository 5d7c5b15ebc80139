import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { ClientSource } from 'src/clients/oauth-client.entity';
import { PaginationQueryDto } from './pagination.dto';
import { ToBoolean } from './validators';

export const CLIENT_SOURCES: readonly ClientSource[] = ['admin', 'dcr', 'cimd'];

/** GET /admin/clients filters. */
export class ListClientsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: CLIENT_SOURCES })
  @IsOptional()
  @IsIn(CLIENT_SOURCES)
  source?: ClientSource;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({
    maxLength: 200,
    description: 'Part of the client name, or an exact client_id',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}
