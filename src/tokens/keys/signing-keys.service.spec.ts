import { Logger } from '@nestjs/common';
import { calculateJwkThumbprint } from 'jose';
import { AppConfig } from 'src/config/app-config';
import { KeyEncryption } from './key-encryption';
import { SigningKeysService } from './signing-keys.service';
import { FixedClock } from '../../../test/fakes/fixed-clock';
import { InMemorySigningKeysRepository } from '../../../test/fakes/in-memory-signing-keys.repository';

const ACCESS_TOKEN_TTL = 3600;
const config = {
  appSecret: 'unit-test-secret-long-enough-0123456789',
  ttl: { accessToken: ACCESS_TOKEN_TTL },
} as AppConfig;

describe(SigningKeysService.name, () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(true));

  let repo: InMemorySigningKeysRepository;
  let clock: FixedClock;
  let sut: SigningKeysService;

  const instance = () =>
    new SigningKeysService(repo.asRepository(), new KeyEncryption(config), config, clock);

  beforeEach(() => {
    repo = new InMemorySigningKeysRepository();
    clock = new FixedClock();
    sut = instance();
  });

  describe('signingKey', () => {
    it('should create exactly one active key on first use and keep using it', async () => {
      const first = await sut.signingKey();
      const second = await sut.signingKey();
      expect(second.kid).toBe(first.kid);
      expect([...repo.rows.values()].map((k) => k.state)).toEqual(['active']);
      expect(first.alg).toBe('ES256');
    });

    it('should create one active key when several instances start at once', async () => {
      const results = await Promise.all([
        sut.signingKey(),
        instance().signingKey(),
        instance().signingKey(),
      ]);
      expect(repo.rows.size).toBe(1);
      expect(new Set(results.map((r) => r.kid)).size).toBe(1);
    });

    it('should use the JWK thumbprint as kid and store the private key only encrypted', async () => {
      const { kid } = await sut.signingKey();
      const row = repo.rows.get(kid)!;
      expect(kid).toBe(await calculateJwkThumbprint(row.publicJwk as never, 'sha256'));
      expect(row.publicJwk).not.toHaveProperty('d');
      expect(row.privateJwkEncrypted).toMatch(/^v1\./);
      const privateJwk = JSON.parse(
        new KeyEncryption(config).decrypt(row.privateJwkEncrypted, kid),
      );
      expect(privateJwk).toMatchObject({ kty: 'EC', crv: 'P-256', d: expect.any(String) });
    });
  });

  describe('jwks', () => {
    it('should publish the active key and the next one before anything was signed, and sign with the active one', async () => {
      // Never an empty set (docs/mcp.md §1): a resource server caching the JWKS of a fresh server
      // must be able to verify its first token and the one after the next rotation.
      const { keys } = await sut.jwks();
      expect(keys).toHaveLength(2);
      const { kid } = await sut.signingKey();
      expect(keys.map((k) => k.kid)).toContain(kid);
      expect((await sut.jwks()).keys.map((k) => k.kid)).toEqual(keys.map((k) => k.kid));
    });

    it('should publish public JWKs with kid, alg and use, and no private member', async () => {
      const { kid } = await sut.signingKey();
      const { keys } = await sut.jwks();
      expect(keys).toEqual([
        {
          kty: 'EC',
          crv: 'P-256',
          x: expect.any(String),
          y: expect.any(String),
          kid,
          alg: 'ES256',
          use: 'sig',
        },
      ]);
    });
  });

  describe('rotate', () => {
    it('should publish the next key before it signs', async () => {
      const { kid: active } = await sut.signingKey();
      const outcome = await sut.rotate(clock.now());
      expect(outcome.action).toBe('created-next');
      const next = (outcome as { kid: string }).kid;
      expect((await sut.jwks()).keys.map((k) => k.kid).sort()).toEqual([active, next].sort());
      expect((await sut.signingKey()).kid).toBe(active);
      expect(await sut.verificationKey(next)).not.toBeNull();
    });

    it('should not promote the next key before the delay has passed', async () => {
      await sut.signingKey();
      await sut.rotate(clock.now());
      clock.advance(3599);
      expect(await sut.rotate(clock.now())).toEqual({ action: 'none' });
    });

    it('should promote the next key after the delay and keep the retired key until its tokens expire', async () => {
      const { kid: old } = await sut.signingKey();
      const created = await sut.rotate(clock.now());
      clock.advance(3600);
      const promoted = await sut.rotate(clock.now());
      expect(promoted).toEqual({ action: 'promoted', kid: (created as { kid: string }).kid });
      expect((await sut.signingKey()).kid).toBe(promoted.action === 'promoted' && promoted.kid);
      const retired = repo.rows.get(old)!;
      expect(retired.state).toBe('retired');
      // Tokens signed just before the promotion, plus other instances' cache refresh, must still verify.
      expect(retired.expiresAt!.getTime()).toBe(
        clock.now().getTime() + (ACCESS_TOKEN_TTL + 60) * 1000,
      );

      clock.advance(ACCESS_TOKEN_TTL + 59);
      expect((await sut.jwks()).keys.map((k) => k.kid)).toContain(old);
      expect(await sut.verificationKey(old)).not.toBeNull();

      clock.advance(1);
      expect((await sut.jwks()).keys.map((k) => k.kid)).not.toContain(old);
      await sut.rotate(clock.now());
      expect(repo.rows.has(old)).toBe(false);
    });

    it('should let another instance see a rotation once its cache refreshes', async () => {
      const other = instance();
      const { kid: old } = await sut.signingKey();
      await sut.rotate(clock.now());
      clock.advance(3600);
      expect((await other.signingKey()).kid).toBe(old);
      const promoted = await sut.rotate(clock.now());
      const fresh = (promoted as { kid: string }).kid;
      expect((await other.signingKey()).kid).toBe(old);
      clock.advance(60);
      expect((await other.signingKey()).kid).toBe(fresh);
    });

    it('should promote only once when two instances rotate at the same time', async () => {
      await sut.signingKey();
      await sut.rotate(clock.now());
      clock.advance(3600);
      const outcomes = await Promise.all([sut.rotate(clock.now()), instance().rotate(clock.now())]);
      expect(outcomes.filter((o) => o.action === 'promoted')).toHaveLength(1);
      expect([...repo.rows.values()].filter((k) => k.state === 'active')).toHaveLength(1);
    });
  });

  describe('verificationKey', () => {
    it('should return the public key of a known kid from memory', async () => {
      const { kid } = await sut.signingKey();
      const reads = repo.reads;
      const key = await sut.verificationKey(kid);
      expect(key).toMatchObject({ type: 'public', algorithm: { name: 'ECDSA' } });
      expect(repo.reads).toBe(reads);
    });

    it('should reload at most once per few seconds for unknown kids', async () => {
      await sut.signingKey();
      const reads = repo.reads;
      expect(await sut.verificationKey('garbage-1')).toBeNull();
      expect(await sut.verificationKey('garbage-2')).toBeNull();
      expect(await sut.verificationKey('garbage-3')).toBeNull();
      expect(repo.reads).toBe(reads + 1);
      clock.advance(5);
      expect(await sut.verificationKey('garbage-4')).toBeNull();
      expect(repo.reads).toBe(reads + 2);
    });

    it('should find a key created by another instance after a reload', async () => {
      await sut.signingKey();
      const created = await instance().rotate(clock.now());
      expect(await sut.verificationKey((created as { kid: string }).kid)).not.toBeNull();
    });

    it('should keep verifying with cached keys while the database is unreachable', async () => {
      const { kid } = await sut.signingKey();
      repo.failReads = true;
      clock.advance(61);
      expect(await sut.verificationKey(kid)).not.toBeNull();
    });
  });
});
