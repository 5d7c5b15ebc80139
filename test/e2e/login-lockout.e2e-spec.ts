import { randomBytes } from 'node:crypto';
import { AuditService } from 'src/audit/audit.service';
import { Clock } from 'src/common/clock';
import { PasswordHasher } from 'src/common/password-hasher';
import { UsersService } from 'src/users/users.service';
import { MutableClock } from '../fakes/mutable-clock';
import { browser, formFields } from '../support/browser';
import { createTestApp, TestApp } from './create-test-app';

const PASSWORD = 'correct horse battery staple';
const GENERIC = 'Invalid username or password.';

describe('Login lockout (e2e)', () => {
  let t: TestApp;
  // Frozen: lock lengths are asserted to the second, and a loaded machine must not shave any off.
  const clock = new MutableClock().freeze();
  afterEach(() => clock.reset());
  let verify: jest.SpyInstance;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        LOGIN_LOCKOUT_THRESHOLD: '5',
        LOGIN_LOCKOUT_BASE_SECONDS: '60',
        LOGIN_LOCKOUT_MAX_SECONDS: '900',
        LOGIN_LOCKOUT_RESET_SECONDS: '43200',
      },
      override: (b) => b.overrideProvider(Clock).useValue(clock),
    });
    verify = jest.spyOn(t.app.get(PasswordHasher), 'verify');
  });
  afterAll(() => t.close());

  async function newUser(): Promise<string> {
    const username = `user_${randomBytes(4).toString('hex')}`;
    await t.app
      .get(UsersService)
      .createIfAbsent({ username, password: PASSWORD, scopes: ['read'] });
    return username;
  }

  async function state(
    username: string,
  ): Promise<{ failed_login_count: number; locked_until: Date | null }> {
    const [row] = await t.dataSource.query(
      'SELECT failed_login_count, locked_until FROM users WHERE username = $1',
      [username],
    );
    return {
      failed_login_count: Number(row.failed_login_count),
      locked_until: row.locked_until && new Date(row.locked_until),
    };
  }

  /** One login through the real form; returns the response and how many bcrypt verifications it cost. */
  async function login(username: string, password: string) {
    const agent = browser(t.http);
    const fields = formFields((await agent.get('/login').expect(200)).text);
    const before = verify.mock.calls.length;
    const res = await agent
      .post('/login')
      .type('form')
      .send({ ...fields, username, password });
    return { res, verifications: verify.mock.calls.length - before };
  }

  async function expectGenericFailure(username: string, password: string): Promise<void> {
    const { res, verifications } = await login(username, password);
    expect(res.status).toBe(400);
    expect(res.text).toContain(GENERIC);
    expect(verifications).toBe(1);
  }

  const lockSeconds = async (username: string) =>
    Math.round(((await state(username)).locked_until!.getTime() - clock.now().getTime()) / 1000);

  it('should verify exactly one bcrypt hash for an unknown user, a wrong password, a locked account and a success', async () => {
    const username = await newUser();
    await expectGenericFailure(`nobody_${randomBytes(4).toString('hex')}`, PASSWORD);
    await expectGenericFailure(username, 'wrong');
    const ok = await login(username, PASSWORD);
    expect(ok.res.status).toBe(303);
    expect(ok.verifications).toBe(1);
    for (let i = 0; i < 5; i++) await expectGenericFailure(username, 'wrong');
    await expectGenericFailure(username, PASSWORD);
  });

  it('should lock after 5 consecutive failures and refuse even the right password, with the same message', async () => {
    const username = await newUser();
    for (let i = 1; i <= 4; i++) {
      await expectGenericFailure(username, `wrong-${i}`);
      expect(await state(username)).toEqual({ failed_login_count: i, locked_until: null });
    }
    await expectGenericFailure(username, 'wrong-5');
    expect((await state(username)).failed_login_count).toBe(5);
    expect(await lockSeconds(username)).toBe(60);
    // Locked: the right password fails exactly like a wrong one, and nothing more is counted.
    await expectGenericFailure(username, PASSWORD);
    await expectGenericFailure(username, 'wrong-6');
    expect((await state(username)).failed_login_count).toBe(5);
  });

  it('should double the lock after each failure once locked, up to the maximum, and reset on success', async () => {
    const username = await newUser();
    for (let i = 0; i < 5; i++) await expectGenericFailure(username, 'wrong');
    const waits = [await lockSeconds(username)];
    for (let i = 0; i < 5; i++) {
      clock.advance(waits[waits.length - 1] + 1);
      await expectGenericFailure(username, 'wrong');
      waits.push(await lockSeconds(username));
    }
    expect(waits).toEqual([60, 120, 240, 480, 900, 900]);
    clock.advance(901);
    expect((await login(username, PASSWORD)).res.status).toBe(303);
    expect(await state(username)).toEqual({ failed_login_count: 0, locked_until: null });
    // After the reset one failure is just one failure again.
    await expectGenericFailure(username, 'wrong');
    expect(await state(username)).toEqual({ failed_login_count: 1, locked_until: null });
  });

  it('should forget a lock that ended longer ago than the reset period', async () => {
    const username = await newUser();
    for (let i = 0; i < 5; i++) await expectGenericFailure(username, 'wrong');
    clock.advance(60 + 43200 + 1);
    await expectGenericFailure(username, 'wrong');
    expect(await state(username)).toEqual({ failed_login_count: 1, locked_until: null });
  });

  it('should count concurrent failures atomically and never past the lock', async () => {
    const username = await newUser();
    const users = t.app.get(UsersService);
    const results = await Promise.all(
      Array.from({ length: 12 }, () => users.authenticate(username, 'wrong')),
    );
    expect(results.every((r) => !r.ok)).toBe(true);
    expect((await state(username)).failed_login_count).toBe(5);
    expect(await lockSeconds(username)).toBe(60);
    expect(results.filter((r) => !r.ok && r.lockedNow)).toHaveLength(1);
  });

  it('should audit login.failed with the reason, login.locked and login.succeeded, never the password', async () => {
    const username = await newUser();
    const [{ id }] = await t.dataSource.query('SELECT id FROM users WHERE username = $1', [
      username,
    ]);
    const stranger = `nobody_${randomBytes(4).toString('hex')}`;
    await expectGenericFailure(stranger, 'secret-guess-1');
    expect((await login(username, PASSWORD)).res.status).toBe(303);
    for (let i = 0; i < 5; i++) await expectGenericFailure(username, 'secret-guess-2');
    await expectGenericFailure(username, PASSWORD);
    await t.app.get(AuditService).flush();
    const rows: Array<{
      type: string;
      user_id: string | null;
      outcome: string;
      details: Record<string, unknown>;
    }> = await t.dataSource.query(
      `SELECT type, user_id, outcome, details FROM audit_events
          WHERE type LIKE 'login.%' AND (user_id = $1 OR (user_id IS NULL AND details->>'reason' = 'unknown_user'))
          ORDER BY at, id`,
      [id],
    );
    const mine = rows.filter((r) => r.user_id === id);
    // Events of one request share a timestamp: compare them as a multiset.
    expect(mine.map((r) => `${r.type}:${String(r.details.reason ?? '')}`).sort()).toEqual([
      ...Array(5).fill('login.failed:bad_password'),
      'login.failed:locked',
      'login.locked:',
      'login.succeeded:',
    ]);
    expect(mine.find((r) => r.type === 'login.locked')!.details).toMatchObject({ failures: 5 });
    expect(rows.some((r) => r.user_id === null && r.details.reason === 'unknown_user')).toBe(true);
    const all = JSON.stringify(await t.dataSource.query('SELECT * FROM audit_events'));
    expect(all).not.toContain('secret-guess');
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(stranger);
  });
});
