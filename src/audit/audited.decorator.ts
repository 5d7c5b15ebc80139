import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import type { Request } from 'express';
import { AuditEventType } from './audit-event-types';
import { AuditInterceptor } from './audit.interceptor';

export const AUDITED_KEY = 'audit:audited';

export interface AuditedOptions {
  /** Extra details read from the request once the handler has finished (redacted before storage). */
  details?: (req: Request) => Record<string, unknown>;
}

export interface AuditedMetadata extends AuditedOptions {
  type: AuditEventType;
}

/**
 * Marks a handler (or controller) whose every call `AuditInterceptor` records as `type`. The
 * interceptor is bound here, not globally: a route without `@Audited` then runs no interceptor at
 * all (Nest's interceptor chain costs every request it wraps; docs/performance.md).
 */
export const Audited = (type: AuditEventType, options: AuditedOptions = {}) =>
  applyDecorators(
    SetMetadata<string, AuditedMetadata>(AUDITED_KEY, { type, ...options }),
    UseInterceptors(AuditInterceptor),
  );
