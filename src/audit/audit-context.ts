/** What a guard or handler knows about the actor, for the event `AuditInterceptor` writes. */
export interface AuditContext {
  userId?: string | null;
  clientId?: string | null;
  /** Overrides the interceptor's outcome (e.g. an error delivered by redirect, not thrown). */
  outcome?: 'success' | 'failure';
  /** Merged into the event's details (redacted before storage). */
  details?: Record<string, unknown>;
}

interface WithAuditContext {
  auditContext?: AuditContext;
}

/** Merges `context` into `req.auditContext`; later calls win field by field, details are merged. */
export function setAuditContext(req: object, context: AuditContext): void {
  const carrier = req as WithAuditContext;
  const previous = carrier.auditContext ?? {};
  carrier.auditContext = {
    ...previous,
    ...context,
    details: { ...previous.details, ...context.details },
  };
}

export function getAuditContext(req: object): AuditContext | undefined {
  return (req as WithAuditContext).auditContext;
}
