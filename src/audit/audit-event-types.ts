/** Every audit event type (STYLE.md §2: typed constants, never inline strings). */
export const AUDIT_EVENTS = [
  'login.succeeded',
  'login.failed',
  'login.locked',
  'consent.granted',
  'consent.denied',
  'consent.revoked',
  'code.issued',
  'code.replayed',
  'token.issued',
  'token.refreshed',
  'token.revoked',
  'refresh.replayed',
  'refresh.grace_used',
  'grant.revoked',
  'client.registered',
  'client.updated',
  'client.deleted',
  'client.secret_rotated',
  'user.created',
  'user.updated',
  'user.disabled',
  'admin.call',
  'tool.called',
  'rate_limit.hit',
  'session.revoked_all',
] as const;

export type AuditEventType = (typeof AUDIT_EVENTS)[number];

export interface AuditRecord {
  type: AuditEventType;
  outcome: 'success' | 'failure';
  userId?: string | null;
  clientId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
  /** Small, non-secret details; redacted again before storage. */
  details?: Record<string, unknown>;
}
