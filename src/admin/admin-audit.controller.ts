import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from 'src/bearer/require-scopes.decorator';
import { ADMIN_SCOPE, AdminApi } from './admin-api.decorator';
import { AdminAuditService } from './admin-audit.service';
import { AuditPageDto, AuditQueryDto } from './dto/audit-query.dto';

/** /admin/audit: the audit trail. */
@ApiTags('audit')
@RequireScopes(ADMIN_SCOPE)
@AdminApi()
@Controller('admin/audit')
export class AdminAuditController {
  constructor(private readonly service: AdminAuditService) {}

  @Get()
  @ApiOperation({ summary: 'Audit events, newest first, filtered; page with next_cursor' })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiBadRequestResponse({ description: 'invalid cursor, dates or filters' })
  query(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    return this.service.query(query);
  }
}
