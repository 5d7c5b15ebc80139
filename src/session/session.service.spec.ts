import { CryptoRandomSource } from 'src/common/random';
import { sha256Hex } from 'src/common/hashing';
import { AppConfig } from 'src/config/app-config';
import { User } from 'src/users/user.entity';
import { UsersService } from 'src/users/users.service';
import { FixedClock } from '../../test/fakes/fixed-clock';
import { BrowserSessionsRepository } from './browser-sessions.repository';
import { Session, SessionService } from './session.service';

describe(SessionService.name, () => {
  let clock: FixedClock;
  let rows: Map<string, { userId: string; expiresAt: Date }>;
  let users: Map<string, User>;
  let sut: SessionService;

  beforeEach(() => {
    clock = new FixedClock('2026-01-01T00:00:00Z');
    rows = new Map();
    users = new Map([['u1', Object.assign(new User(), { id: 'u1', disabled: false })]]);
    const repo = {
      create: async (idHash: string, userId: string, expiresAt: Date) =>
        void rows.set(idHash, { userId, expiresAt }),
      liveUserId: async (idHash: string, now: Date) => {
        const row = rows.get(idHash);
        return row && row.expiresAt > now ? row.userId : null;
      },
      delete: async (idHash: string) => void rows.delete(idHash),
      deleteForUser: async (userId: string) => {
        const ids = [...rows].filter(([, r]) => r.userId === userId).map(([id]) => id);
        ids.forEach((id) => rows.delete(id));
        return ids.length;
      },
    } as unknown as BrowserSessionsRepository;
    const usersService = {
      findById: async (id: string) => users.get(id) ?? null,
    } as unknown as UsersService;
    const config = { secureCookies: true } as AppConfig;
    sut = new SessionService(config, clock, new CryptoRandomSource(), repo, usersService);
  });

  const cookieValue = (session: Session) => JSON.stringify(session);

  it('should start a session with a stored hash of its id only, and resolve it', async () => {
    const { session, cookies } = await sut.start('u1');
    expect([...rows.keys()]).toEqual([sha256Hex(session.sid)]);
    expect(cookies).toEqual([{ set: 'session', session }, { clear: 'login-csrf' }]);
    const resolved = await sut.resolve(cookieValue(session));
    expect(resolved.signedIn?.user.id).toBe('u1');
    expect(sut.sessionCookie).toBe('__Host-mcp_session');
  });

  it('should refuse, and ask to clear, a cookie whose session was ended, expired, or names another user', async () => {
    const { session } = await sut.start('u1');
    const other = { ...session, userId: 'u2' };
    users.set('u2', Object.assign(new User(), { id: 'u2', disabled: false }));
    expect(await sut.resolve(cookieValue(other))).toEqual({ signedIn: null, clearCookie: true });
    await sut.end(session);
    expect(await sut.resolve(cookieValue(session))).toEqual({ signedIn: null, clearCookie: true });
    const again = (await sut.start('u1')).session;
    clock.advance(12 * 3600 + 1);
    expect(await sut.resolve(cookieValue(again))).toEqual({ signedIn: null, clearCookie: true });
  });

  it('should refuse a disabled user, and end every session of a user at once', async () => {
    const a = (await sut.start('u1')).session;
    const b = (await sut.start('u1')).session;
    expect(await sut.endAll('u1')).toBe(2);
    expect((await sut.resolve(cookieValue(a))).signedIn).toBeNull();
    expect((await sut.resolve(cookieValue(b))).signedIn).toBeNull();
    const c = (await sut.start('u1')).session;
    users.get('u1')!.disabled = true;
    expect((await sut.resolve(cookieValue(c))).signedIn).toBeNull();
  });

  it.each([['not json'], [42], ['{"sid":1}'], ['null']])(
    'should treat a malformed cookie %j as none, to clear',
    async (raw) => {
      expect(await sut.resolve(raw)).toEqual({ signedIn: null, clearCookie: true });
    },
  );

  it('should resolve no cookie as nobody, with nothing to clear', async () => {
    expect(await sut.resolve(undefined)).toEqual({ signedIn: null, clearCookie: false });
  });

  it('should reuse a login CSRF cookie, or ask to set a new one, and compare in constant time', () => {
    const fresh = sut.loginCsrf(undefined);
    expect(fresh.cookies).toEqual([{ set: 'login-csrf', token: fresh.token }]);
    expect(sut.loginCsrf(fresh.token)).toEqual({ token: fresh.token, cookies: [] });
    expect(sut.verifyLoginCsrf(fresh.token, fresh.token)).toBe(true);
    expect(sut.verifyLoginCsrf(fresh.token, 'x')).toBe(false);
    expect(sut.verifyLoginCsrf(undefined, fresh.token)).toBe(false);
  });

  it('should describe cookies as HttpOnly, SameSite=Lax, signed, Secure under https', () => {
    const { name, options } = sut.cookieOf({ clear: 'session' });
    expect(name).toBe('__Host-mcp_session');
    expect(options).toMatchObject({
      httpOnly: true,
      sameSite: 'lax',
      secure: true,
      path: '/',
      signed: true,
    });
  });
});
