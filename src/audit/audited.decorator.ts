import { SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import { AuditEventType } from './audit-event-types';

export const AUDITED_KEY = 'audit:audited';

export interface AuditedOptions {
  /** Extra details read from the request once the handler has finished (redacted before storage). */
  details?: (req: Request) => Record<string, unknown>;
}

export interface AuditedMetadata extends AuditedOptions {
  type: AuditEventType;
}

/** Marks a handler (or controller) whose every call `AuditInterceptor` records as `type`. */
export const Audited = (type: AuditEventType, options: AuditedOptions = {}) =>
  SetMetadata<string, AuditedMetadata>(AUDITED_KEY, { type, ...options });
