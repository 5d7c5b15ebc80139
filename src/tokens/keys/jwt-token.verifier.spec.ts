import { Logger } from '@nestjs/common';
import { base64url, decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import type { JWTPayload } from 'jose';
import { AppConfig } from 'src/config/app-config';
import { JwtAccessTokenSigner } from './jwt-access-token.signer';
import { JwtTokenVerifier } from './jwt-token.verifier';
import { KeyEncryption } from './key-encryption';
import { RevocationChecker } from '../../token-store/revocation-checker';
import { SigningKeysService } from './signing-keys.service';
import { FixedClock } from '../../../test/fakes/fixed-clock';
import { InMemorySigningKeysRepository } from '../../../test/fakes/in-memory-signing-keys.repository';
import { AccessTokenToSign, TokenRejectedError, TokenRejection } from './token-verifier';

const ISSUER = 'https://as.example.com';
const RESOURCE = 'https://as.example.com/mcp';
const config = {
  issuer: ISSUER,
  appSecret: 'unit-test-secret-long-enough-0123456789',
  ttl: { accessToken: 3600 },
} as AppConfig;

const claims: AccessTokenToSign = {
  jti: 'jti-1',
  sub: 'user-1',
  clientId: 'client-1',
  scope: ['read', 'write'],
  audience: RESOURCE,
  ttlSeconds: 600,
};

class FakeRevocationChecker extends RevocationChecker {
  readonly revoked = new Set<string>();
  isRevoked = jest.fn(async (jti: string) => this.revoked.has(jti));
  markRevoked(jti: string): void {
    this.revoked.add(jti);
  }
  invalidate(): void {}
  invalidateAll(): void {}
}

describe(JwtTokenVerifier.name, () => {
  let clock: FixedClock;
  let keys: SigningKeysService;
  let revocation: FakeRevocationChecker;
  let signer: JwtAccessTokenSigner;
  let sut: JwtTokenVerifier;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    clock = new FixedClock('2026-01-01T00:00:00Z');
    const repo = new InMemorySigningKeysRepository();
    keys = new SigningKeysService(repo.asRepository(), new KeyEncryption(config), config, clock);
    revocation = new FakeRevocationChecker();
    signer = new JwtAccessTokenSigner(keys, config, clock);
    sut = new JwtTokenVerifier(keys, revocation, config, clock);
  });

  /** A token signed with the real active key, with any header and payload. */
  async function forge(header: Record<string, unknown>, payload: JWTPayload): Promise<string> {
    const { kid, privateKey } = await keys.signingKey();
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid, ...header })
      .sign(privateKey);
  }

  async function validPayload(): Promise<JWTPayload> {
    const { token } = await signer.sign(claims);
    return decodeJwt(token);
  }

  async function expectRejected(
    token: string,
    reason: TokenRejection,
    audience = RESOURCE,
  ): Promise<void> {
    const err = await sut.verify(token, audience).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenRejectedError);
    expect((err as TokenRejectedError).reason).toBe(reason);
  }

  it('should verify what the signer signed', async () => {
    const { token, expiresAt } = await signer.sign(claims);
    const now = clock.nowSeconds();
    await expect(sut.verify(token, RESOURCE)).resolves.toEqual({
      jti: 'jti-1',
      sub: 'user-1',
      clientId: 'client-1',
      scope: ['read', 'write'],
      audience: RESOURCE,
      issuedAt: now,
      expiresAt: now + 600,
    });
    expect(expiresAt).toEqual(new Date((now + 600) * 1000));
    expect(revocation.isRevoked).toHaveBeenCalledWith('jti-1', now + 600);
  });

  it('should accept an audience array that contains the resource', async () => {
    const token = await forge(
      {},
      { ...(await validPayload()), aud: ['https://other.example', RESOURCE] },
    );
    await expect(sut.verify(token, RESOURCE)).resolves.toMatchObject({ audience: RESOURCE });
  });

  it('should accept typ application/at+jwt (RFC 9068 §4)', async () => {
    const token = await forge({ typ: 'application/at+jwt' }, await validPayload());
    await expect(sut.verify(token, RESOURCE)).resolves.toMatchObject({ jti: 'jti-1' });
  });

  it('should reject a token for another audience', async () => {
    const { token } = await signer.sign(claims);
    await expectRejected(token, 'audience', 'https://as.example.com/other');
    await expectRejected(token, 'audience', `${RESOURCE}/`);
  });

  it('should reject a token from another issuer', async () => {
    const token = await forge({}, { ...(await validPayload()), iss: 'https://evil.example' });
    await expectRejected(token, 'issuer');
  });

  it('should reject an expired token', async () => {
    const { token } = await signer.sign(claims);
    clock.advance(599);
    await expect(sut.verify(token, RESOURCE)).resolves.toBeDefined();
    clock.advance(1);
    await expectRejected(token, 'expired');
  });

  it('should reject alg none', async () => {
    const { kid } = await keys.signingKey();
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid }));
    const payload = base64url.encode(JSON.stringify(await validPayload()));
    await expectRejected(`${header}.${payload}.`, 'signature');
  });

  it('should reject an HS256 token keyed with the public key', async () => {
    const { kid } = await keys.signingKey();
    const { keys: published } = await keys.jwks();
    const secret = new TextEncoder().encode(JSON.stringify(published[0]));
    const token = await new SignJWT(await validPayload())
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
      .sign(secret);
    await expectRejected(token, 'signature');
  });

  it('should reject typ JWT (not an access token)', async () => {
    await expectRejected(await forge({ typ: 'JWT' }, await validPayload()), 'type');
    await expectRejected(await forge({ typ: undefined }, await validPayload()), 'type');
  });

  it('should reject a token without kid or with an unknown kid', async () => {
    await expectRejected(await forge({ kid: undefined }, await validPayload()), 'malformed');
    await expectRejected(await forge({ kid: 'unknown-kid' }, await validPayload()), 'signature');
  });

  it('should reject a tampered payload', async () => {
    const { token } = await signer.sign(claims);
    const [header, , signature] = token.split('.');
    const payload = base64url.encode(
      JSON.stringify({ ...decodeJwt(token), scope: 'read write admin' }),
    );
    await expectRejected(`${header}.${payload}.${signature}`, 'signature');
  });

  it('should reject a revoked token', async () => {
    const { token } = await signer.sign(claims);
    revocation.markRevoked('jti-1');
    await expectRejected(token, 'revoked');
  });

  // One row per claim rule: the payload change and the reason the verifier must give.
  const claimTable: Array<[string, (p: JWTPayload, now: number) => void, TokenRejection]> = [
    ['missing sub', (p) => delete p.sub, 'malformed'],
    ['missing client_id', (p) => delete p.client_id, 'malformed'],
    ['missing jti', (p) => delete p.jti, 'malformed'],
    ['missing scope', (p) => delete p.scope, 'malformed'],
    ['missing exp', (p) => delete p.exp, 'malformed'],
    ['missing iat', (p) => delete p.iat, 'malformed'],
    ['iat not a number', (p) => (p.iat = 'yesterday' as unknown as number), 'malformed'],
    ['missing aud', (p) => delete p.aud, 'audience'],
    ['empty aud array', (p) => (p.aud = []), 'audience'],
    ['missing iss', (p) => delete p.iss, 'issuer'],
    ['nbf one second ahead', (p, now) => (p.nbf = now + 1), 'malformed'],
    ['nbf an hour ahead', (p, now) => (p.nbf = now + 3600), 'malformed'],
    ['exp equal to now', (p, now) => (p.exp = now), 'expired'],
  ];
  it.each(claimTable)('should reject a token with %s', async (_name, change, reason) => {
    const payload = await validPayload();
    change(payload, clock.nowSeconds());
    await expectRejected(await forge({}, payload), reason);
  });

  it('should accept a token whose nbf is now or past', async () => {
    for (const offset of [0, -60]) {
      const payload = { ...(await validPayload()), nbf: clock.nowSeconds() + offset };
      await expect(sut.verify(await forge({}, payload), RESOURCE)).resolves.toMatchObject({ jti: 'jti-1' });
    }
  });

  it('should reject garbage as malformed without touching the key store', async () => {
    const spy = jest.spyOn(keys, 'verificationKey');
    for (const token of ['', 'abc', 'a.b', 'a.b.c', 'a.b.c.d.e', 'x'.repeat(10_000)]) {
      await expectRejected(token, 'malformed');
    }
    expect(spy).not.toHaveBeenCalled();
  });
});

describe(JwtAccessTokenSigner.name, () => {
  it('should sign an RFC 9068 token with the active key and the clock', async () => {
    const clock = new FixedClock('2026-01-01T00:00:00Z');
    const repo = new InMemorySigningKeysRepository();
    const keys = new SigningKeysService(
      repo.asRepository(),
      new KeyEncryption(config),
      config,
      clock,
    );
    const sut = new JwtAccessTokenSigner(keys, config, clock);

    const { token, expiresAt } = await sut.sign(claims);

    const { kid } = await keys.signingKey();
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid });
    const iat = Date.parse('2026-01-01T00:00:00Z') / 1000;
    expect(decodeJwt(token)).toEqual({
      iss: ISSUER,
      sub: 'user-1',
      aud: RESOURCE,
      client_id: 'client-1',
      scope: 'read write',
      jti: 'jti-1',
      iat,
      exp: iat + 600,
    });
    expect(expiresAt).toEqual(new Date((iat + 600) * 1000));
  });
});
