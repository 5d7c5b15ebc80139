import { encodeNotice, parseNotice } from './revocation-notice';

describe(parseNotice.name, () => {
  it('should read back what encodeNotice wrote', () => {
    const notice = { kind: 'jti', id: 'a-jti', origin: 'instance-1' } as const;
    expect(parseNotice(encodeNotice(notice))).toEqual(notice);
    const grant = {
      kind: 'grant',
      id: '6f1c0d0e-0000-4000-8000-000000000000',
      origin: 'i',
    } as const;
    expect(parseNotice(encodeNotice(grant))).toEqual(grant);
  });

  it('should refuse anything that is not exactly a notice', () => {
    for (const payload of [
      '',
      'not json',
      'null',
      '[]',
      '{"kind":"user","id":"x","origin":"o"}',
      '{"kind":"jti","id":"","origin":"o"}',
      '{"kind":"jti","id":"x"}',
      '{"kind":"jti","id":5,"origin":"o"}',
      JSON.stringify({ kind: 'jti', id: 'x'.repeat(129), origin: 'o' }),
      'x'.repeat(2000),
    ]) {
      expect(parseNotice(payload)).toBeNull();
    }
    expect(parseNotice(undefined)).toBeNull();
  });

  it('should drop unknown fields', () => {
    expect(parseNotice('{"kind":"jti","id":"x","origin":"o","extra":1}')).toEqual({
      kind: 'jti',
      id: 'x',
      origin: 'o',
    });
  });
});
