/** What one instance tells the others; `origin` lets an instance ignore its own notices. */
export interface RevocationNotice {
  kind: 'jti' | 'grant' | 'client';
  id: string;
  origin: string;
  /** When it was sent (ms since the epoch), for the broadcast-lag metric; absent from older senders. */
  sentAt?: number;
}

/** Well above any jti (≤ 64), grant id (uuid) or instance id we produce; longer client ids go out as `*`. */
export const MAX_FIELD_LENGTH = 128;

/** LISTEN/NOTIFY channel (one per database) and the Redis channel prefix. */
export const REVOCATION_CHANNEL = 'mcp_oauth_revocation';

export function encodeNotice(notice: RevocationNotice): string {
  return JSON.stringify({ kind: notice.kind, id: notice.id, origin: notice.origin, sentAt: notice.sentAt });
}

/** The notice in `payload`, or null when it is not one of ours (wrong shape, too long, not JSON). */
export function parseNotice(payload: unknown): RevocationNotice | null {
  if (typeof payload !== 'string' || payload.length > 1024) return null;
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const { kind, id, origin, sentAt } = value as Record<string, unknown>;
  if (kind !== 'jti' && kind !== 'grant' && kind !== 'client') return null;
  if (!isField(id) || !isField(origin)) return null;
  const notice: RevocationNotice = { kind, id, origin };
  if (typeof sentAt === 'number' && Number.isFinite(sentAt)) notice.sentAt = sentAt;
  return notice;
}

function isField(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_FIELD_LENGTH;
}
