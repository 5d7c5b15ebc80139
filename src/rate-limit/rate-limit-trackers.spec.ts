import { clientIdOf, ipOf, trackerOf, usernameOf } from './rate-limit-trackers';

const basic = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;

describe('rate limit trackers', () => {
  describe(clientIdOf.name, () => {
    it('should read the client_id from Basic credentials, form-decoded (RFC 6749 §2.3.1)', () => {
      expect(clientIdOf({ headers: { authorization: basic('my%20client:secret') } })).toBe(
        'my client',
      );
      expect(clientIdOf({ headers: { authorization: basic('a+b:') } })).toBe('a b');
    });

    it('should prefer the Basic header over the form, as client authentication does', () => {
      const req = {
        headers: { authorization: basic('header-id:s') },
        body: { client_id: 'body-id' },
      };
      expect(clientIdOf(req)).toBe('header-id');
    });

    it('should read the form client_id when there is no Basic header', () => {
      expect(clientIdOf({ headers: {}, body: { client_id: 'body-id' } })).toBe('body-id');
      expect(
        clientIdOf({ headers: { authorization: 'Bearer x' }, body: { client_id: 'body-id' } }),
      ).toBe('body-id');
    });

    it('should give nothing for missing, empty, duplicated or malformed values', () => {
      expect(clientIdOf({ headers: {} })).toBeUndefined();
      expect(clientIdOf({ headers: {}, body: { client_id: '' } })).toBeUndefined();
      expect(clientIdOf({ headers: {}, body: { client_id: ['a', 'b'] } })).toBeUndefined();
      expect(clientIdOf({ headers: {}, body: 'client_id=a' })).toBeUndefined();
      expect(clientIdOf({ headers: { authorization: 'Basic !!!' } })).toBeUndefined();
      expect(clientIdOf({ headers: { authorization: basic('no-colon') } })).toBeUndefined();
      expect(clientIdOf({ headers: { authorization: basic(':secret') } })).toBeUndefined();
    });

    it('should keep an undecodable id as it was rather than fail', () => {
      expect(clientIdOf({ headers: { authorization: basic('bad%zz:s') } })).toBe('bad%zz');
    });
  });

  describe(usernameOf.name, () => {
    it('should fold case and compatibility forms so variants share a bucket', () => {
      expect(usernameOf({ headers: {}, body: { username: 'Alice' } })).toBe('alice');
      expect(usernameOf({ headers: {}, body: { username: 'ＡＬＩＣＥ' } })).toBe('alice');
    });

    it('should give nothing without a single non-empty username', () => {
      expect(usernameOf({ headers: {}, body: {} })).toBeUndefined();
      expect(usernameOf({ headers: {}, body: { username: ['a', 'b'] } })).toBeUndefined();
      expect(usernameOf({ headers: {} })).toBeUndefined();
    });
  });

  describe(ipOf.name, () => {
    it('should use the address express resolved (trust proxy applied), IPv6 per /64', () => {
      expect(ipOf({ ip: '203.0.113.5', headers: { 'x-forwarded-for': '1.2.3.4' } })).toBe(
        '203.0.113.5',
      );
      expect(ipOf({ ip: '2001:db8:1:2:aaaa::1', headers: {} })).toBe(
        ipOf({ ip: '2001:db8:1:2::ffff', headers: {} }),
      );
      expect(ipOf({ ip: '2001:db8:1:3::1', headers: {} })).not.toBe(
        ipOf({ ip: '2001:db8:1:2::1', headers: {} }),
      );
      expect(ipOf({ headers: {}, socket: { remoteAddress: '127.0.0.1' } })).toBe('127.0.0.1');
    });
  });

  it('should dispatch on the key kind', () => {
    const req = { ip: '10.0.0.1', headers: {}, body: { client_id: 'c', username: 'U' } };
    expect([trackerOf('ip', req), trackerOf('client', req), trackerOf('username', req)]).toEqual([
      '10.0.0.1',
      'c',
      'u',
    ]);
  });
});
