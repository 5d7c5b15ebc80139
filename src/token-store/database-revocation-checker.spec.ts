import { AppConfig } from 'src/config/app-config';
import type {
  AccessTokenRevocationRepository,
  AccessTokenRevocationState,
} from './access-token-revocation.repository';
import { DatabaseRevocationChecker } from './database-revocation-checker';
import { FixedClock } from '../../test/fakes/fixed-clock';

const config = { ttl: { accessToken: 3600 } } as AppConfig;

describe(DatabaseRevocationChecker.name, () => {
  let clock: FixedClock;
  let rows: Map<string, AccessTokenRevocationState>;
  let findRevocationState: jest.Mock<Promise<AccessTokenRevocationState | null>, [string]>;
  let sut: DatabaseRevocationChecker;

  const exp = () => clock.nowSeconds() + 600;

  beforeEach(() => {
    clock = new FixedClock();
    rows = new Map();
    findRevocationState = jest.fn(async (jti: string) => rows.get(jti) ?? null);
    sut = new DatabaseRevocationChecker(
      { findRevocationState } as unknown as AccessTokenRevocationRepository,
      clock,
      config,
    );
  });

  const issue = (jti: string, revoked = false) =>
    rows.set(jti, { revoked, expiresAt: new Date(exp() * 1000) });

  it('should answer not revoked and trust that answer for five seconds only', async () => {
    issue('a');
    expect(await sut.isRevoked('a', exp())).toBe(false);
    rows.get('a')!.revoked = true;
    clock.advance(4);
    expect(await sut.isRevoked('a', exp())).toBe(false);
    expect(findRevocationState).toHaveBeenCalledTimes(1);
    clock.advance(1);
    expect(await sut.isRevoked('a', exp())).toBe(true);
    expect(findRevocationState).toHaveBeenCalledTimes(2);
  });

  it('should remember a revoked token until it expires', async () => {
    issue('a', true);
    const expiresAt = exp();
    expect(await sut.isRevoked('a', expiresAt)).toBe(true);
    clock.advance(599);
    expect(await sut.isRevoked('a', expiresAt)).toBe(true);
    expect(findRevocationState).toHaveBeenCalledTimes(1);
  });

  it('should treat a jti that was never recorded as revoked', async () => {
    expect(await sut.isRevoked('unknown', exp())).toBe(true);
  });

  it('should ask the database once for concurrent checks of one token', async () => {
    issue('a');
    const answers = await Promise.all([1, 2, 3].map(() => sut.isRevoked('a', exp())));
    expect(answers).toEqual([false, false, false]);
    expect(findRevocationState).toHaveBeenCalledTimes(1);
  });

  it('should honour markRevoked at once over a cached not-revoked answer', async () => {
    issue('a');
    expect(await sut.isRevoked('a', exp())).toBe(false);
    sut.markRevoked('a', exp());
    expect(await sut.isRevoked('a', exp())).toBe(true);
    expect(findRevocationState).toHaveBeenCalledTimes(1);
  });

  it('should ask the database again after invalidate and invalidateAll', async () => {
    issue('a');
    issue('b');
    await sut.isRevoked('a', exp());
    await sut.isRevoked('b', exp());
    rows.get('a')!.revoked = true;
    rows.get('b')!.revoked = true;
    sut.invalidate('a');
    expect(await sut.isRevoked('a', exp())).toBe(true);
    sut.invalidateAll();
    expect(await sut.isRevoked('b', exp())).toBe(true);
  });

  it('should not cache a not-revoked answer that raced with a revocation', async () => {
    issue('a');
    let release!: () => void;
    findRevocationState.mockImplementationOnce(async (jti) => {
      const readBeforeRevocation = { ...rows.get(jti)! };
      await new Promise<void>((resolve) => (release = resolve));
      return readBeforeRevocation;
    });
    const racing = sut.isRevoked('a', exp());
    await Promise.resolve();
    rows.get('a')!.revoked = true;
    sut.invalidate('a');
    release();
    expect(await racing).toBe(false);
    expect(await sut.isRevoked('a', exp())).toBe(true);
  });
});
