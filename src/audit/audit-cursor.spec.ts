import { createHmac, hkdfSync } from 'node:crypto';
import { AuditCursorCodec, InvalidAuditCursorError } from './audit-cursor';

const SECRET = 'unit-test-secret-that-is-long-enough-0123456789';
const POSITION = { at: '2025-06-01T12:00:00.123456Z', id: '0b7e4f0e-8a35-4c6b-9f54-3c1f1f0f2a10' };

describe(AuditCursorCodec.name, () => {
  const sut = new AuditCursorCodec(SECRET);

  it('should round-trip a position through an opaque cursor', () => {
    const cursor = sut.encode(POSITION);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(sut.decode(cursor)).toEqual(POSITION);
  });

  it('should reject a cursor whose payload was changed', () => {
    const [, signature] = sut.encode(POSITION).split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...POSITION, at: '2099-01-01T00:00:00.000000Z' }),
    ).toString('base64url');
    expect(() => sut.decode(`${forgedPayload}.${signature}`)).toThrow(InvalidAuditCursorError);
  });

  it('should reject a cursor whose signature was changed', () => {
    const cursor = sut.encode(POSITION);
    const last = cursor.at(-2) === 'A' ? 'B' : 'A';
    expect(() => sut.decode(`${cursor.slice(0, -2)}${last}${cursor.slice(-1)}`)).toThrow(
      InvalidAuditCursorError,
    );
  });

  it('should reject a cursor signed with another secret or with the raw secret instead of the derived key', () => {
    const other = new AuditCursorCodec('another-secret-that-is-long-enough-0123456789');
    expect(() => sut.decode(other.encode(POSITION))).toThrow(InvalidAuditCursorError);
    const payload = Buffer.from(JSON.stringify(POSITION)).toString('base64url');
    const rawKeySig = createHmac('sha256', SECRET).update(payload).digest('base64url');
    expect(() => sut.decode(`${payload}.${rawKeySig}`)).toThrow(InvalidAuditCursorError);
  });

  it('should use HKDF-SHA256 with info "audit-cursor" for its key', () => {
    const key = Buffer.from(hkdfSync('sha256', SECRET, '', 'audit-cursor', 32));
    const payload = Buffer.from(JSON.stringify(POSITION)).toString('base64url');
    const signature = createHmac('sha256', key).update(payload).digest('base64url');
    expect(sut.decode(`${payload}.${signature}`)).toEqual(POSITION);
  });

  it('should reject a correctly signed payload of the wrong shape', () => {
    const key = Buffer.from(hkdfSync('sha256', SECRET, '', 'audit-cursor', 32));
    const sign = (json: string) => {
      const payload = Buffer.from(json).toString('base64url');
      return `${payload}.${createHmac('sha256', key).update(payload).digest('base64url')}`;
    };
    for (const json of [
      'not json',
      '[]',
      'null',
      '{"at":"yesterday","id":"x"}',
      `{"at":"${POSITION.at}","id":"1; DROP"}`,
    ]) {
      expect(() => sut.decode(sign(json))).toThrow(InvalidAuditCursorError);
    }
  });

  it.each(['', '.', 'abc', 'a.b.c', 'a b.c', 'x'.repeat(600), 'eyJ9.'])(
    'should reject the malformed cursor %j',
    (cursor) => {
      expect(() => sut.decode(cursor)).toThrow(InvalidAuditCursorError);
    },
  );
});
