import { Injectable } from '@nestjs/common';
import { InvalidAuditCursorError } from 'src/audit/audit-cursor';
import { AuditEvent } from 'src/audit/audit-event.entity';
import { AuditService } from 'src/audit/audit.service';
import { InvalidRequest } from 'src/oauth/errors/oauth-errors';
import { AuditEventDto, AuditPageDto, AuditQueryDto } from './dto/audit-query.dto';

/** GET /admin/audit: the audit trail, filtered, newest first, in signed-cursor pages. */
@Injectable()
export class AdminAuditService {
  constructor(private readonly audit: AuditService) {}

  async query(dto: AuditQueryDto): Promise<AuditPageDto> {
    const from = dto.from === undefined ? undefined : new Date(dto.from);
    const to = dto.to === undefined ? undefined : new Date(dto.to);
    if (from && to && from.getTime() >= to.getTime())
      throw InvalidRequest('from must be before to');
    try {
      const page = await this.audit.query({
        type: dto.type,
        userId: dto.user_id,
        clientId: dto.client_id,
        from,
        to,
        limit: dto.limit,
        cursor: dto.cursor,
      });
      return { items: page.items.map(toAuditEventDto), next_cursor: page.nextCursor };
    } catch (err) {
      if (err instanceof InvalidAuditCursorError) throw InvalidRequest('invalid cursor');
      throw err;
    }
  }
}

function toAuditEventDto(e: AuditEvent): AuditEventDto {
  return {
    id: e.id,
    at: e.at.toISOString(),
    type: e.type,
    outcome: e.outcome,
    user_id: e.userId,
    client_id: e.clientId,
    ip: e.ip,
    user_agent: e.userAgent,
    request_id: e.requestId,
    details: e.details,
  };
}
