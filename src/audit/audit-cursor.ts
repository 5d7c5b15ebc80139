import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** Where a page of audit events ends: keyset position on (at DESC, id DESC). */
export interface AuditCursorPosition {
  /** `at` in UTC with microseconds (PostgreSQL's precision), e.g. 2025-01-01T00:00:00.123456Z. */
  at: string;
  id: string;
}

/** A cursor that is malformed, forged or tampered with; callers answer 400 invalid_request. */
export class InvalidAuditCursorError extends Error {
  constructor() {
    super('invalid cursor');
    this.name = 'InvalidAuditCursorError';
  }
}

const HKDF_INFO = 'audit-cursor';
const MAX_CURSOR_LENGTH = 512;
const B64URL = /^[A-Za-z0-9_-]+$/;
const AT_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const UUID_FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Opaque, tamper-proof page cursors: base64url(JSON {at,id}) "." base64url(HMAC-SHA256), keyed by
 * a key derived from the app secret (HKDF, RFC 5869) so it is never the secret itself.
 */
export class AuditCursorCodec {
  private readonly key: Buffer;

  constructor(appSecret: string) {
    this.key = Buffer.from(hkdfSync('sha256', appSecret, '', HKDF_INFO, 32));
  }

  encode(position: AuditCursorPosition): string {
    const payload = Buffer.from(JSON.stringify({ at: position.at, id: position.id })).toString(
      'base64url',
    );
    return `${payload}.${this.sign(payload).toString('base64url')}`;
  }

  /** @throws InvalidAuditCursorError unless the cursor is one this server issued, unchanged. */
  decode(cursor: string): AuditCursorPosition {
    if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_LENGTH)
      throw new InvalidAuditCursorError();
    const [payload, signature, ...rest] = cursor.split('.');
    if (
      rest.length > 0 ||
      !payload ||
      !signature ||
      !B64URL.test(payload) ||
      !B64URL.test(signature)
    ) {
      throw new InvalidAuditCursorError();
    }
    const given = Buffer.from(signature, 'base64url');
    const expected = this.sign(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new InvalidAuditCursorError();
    }
    return parsePosition(Buffer.from(payload, 'base64url').toString('utf8'));
  }

  private sign(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload, 'ascii').digest();
  }
}

function parsePosition(json: string): AuditCursorPosition {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new InvalidAuditCursorError();
  }
  const { at, id } = (value ?? {}) as Record<string, unknown>;
  if (typeof at !== 'string' || !AT_FORMAT.test(at) || Number.isNaN(Date.parse(at))) {
    throw new InvalidAuditCursorError();
  }
  if (typeof id !== 'string' || !UUID_FORMAT.test(id)) throw new InvalidAuditCursorError();
  return { at, id };
}

export function isUuid(value: string): boolean {
  return UUID_FORMAT.test(value);
}
