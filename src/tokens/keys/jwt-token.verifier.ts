import { Injectable } from '@nestjs/common';
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { CryptoKey, JWTPayload } from 'jose';
import { BoundedCache } from 'src/common/bounded-cache';
import { Clock } from 'src/common/clock';
import { AppConfig } from 'src/config/app-config';
import { ACCESS_TOKEN_TYP } from './jwt-access-token.signer';
import { RevocationChecker } from '../../token-store/revocation-checker';
import { SIGNING_ALG, SigningKeysService } from './signing-keys.service';
import { TokenRejectedError, TokenVerifier, VerifiedAccessToken } from './token-verifier';

/** Far above any token we issue; longer input is refused before any parsing. */
const MAX_TOKEN_LENGTH = 8192;
/** Tokens whose signature and claims were verified, remembered so each is parsed and verified once. */
export const MAX_VERIFIED_TOKENS = 10_000;

interface VerifiedEntry {
  kid: string;
  /** The key that verified the signature: a cached answer stands only while the kid maps to it. */
  key: CryptoKey;
  nbf?: number;
  token: VerifiedAccessToken;
}

/**
 * Verifies RFC 9068 access tokens (§4): cheap header checks first (alg, typ, kid), then the ES256
 * signature with the kid's key, exp against the injected clock, iss, exact aud, the required
 * claims, and finally revocation.
 *
 * A token is parsed and its signature checked once: a verified token is remembered (BoundedCache,
 * least recently used first out) with the key that verified it; later presentations re-check what
 * can change: exp and nbf against the clock, that its kid still names that key, and revocation
 * (which runs on every call). docs/performance.md.
 */
@Injectable()
export class JwtTokenVerifier extends TokenVerifier {
  private readonly verified = new BoundedCache<string, VerifiedEntry>(MAX_VERIFIED_TOKENS);
  constructor(
    private readonly keys: SigningKeysService,
    private readonly revocation: RevocationChecker,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    super();
  }

  async verify(token: string, expectedAudience: string): Promise<VerifiedAccessToken> {
    const remembered = this.verified.get(token, this.clock.nowSeconds() * 1000);
    if (remembered && remembered.token.audience === expectedAudience) {
      if (await this.stillValid(remembered)) {
        if (await this.revocation.isRevoked(remembered.token.jti, remembered.token.expiresAt))
          throw new TokenRejectedError('revoked');
        return remembered.token;
      }
      this.verified.delete(token);
    }
    const kid = this.checkHeader(token);
    const key = await this.keys.verificationKey(kid);
    if (!key) throw new TokenRejectedError('signature');
    const payload = await this.verifySignature(token, key);
    const claims = requiredClaims(payload);
    if (payload.iss !== this.config.issuer) throw new TokenRejectedError('issuer');
    if (!audienceMatches(payload.aud, expectedAudience)) throw new TokenRejectedError('audience');
    if (await this.revocation.isRevoked(claims.jti, claims.exp))
      throw new TokenRejectedError('revoked');
    const verified: VerifiedAccessToken = Object.freeze({
      jti: claims.jti,
      sub: claims.sub,
      clientId: claims.client_id,
      scope: Object.freeze(claims.scope.split(' ').filter((s) => s.length > 0)) as string[],
      audience: expectedAudience,
      issuedAt: claims.iat,
      expiresAt: claims.exp,
    });
    this.remember(token, {
      kid,
      key,
      nbf: typeof payload.nbf === 'number' ? payload.nbf : undefined,
      token: verified,
    });
    return verified;
  }

  /** What jose checked that time can change: exp (expired at exp, as jose), nbf, and the key. */
  private async stillValid(entry: VerifiedEntry): Promise<boolean> {
    const now = this.clock.nowSeconds();
    if (entry.token.expiresAt <= now) return false;
    if (entry.nbf !== undefined && entry.nbf > now) return false;
    return (await this.keys.verificationKey(entry.kid)) === entry.key;
  }

  private remember(token: string, entry: VerifiedEntry): void {
    // Kept until the token expires; least recently used first out when full.
    this.verified.set(token, entry, entry.token.expiresAt * 1000);
  }

  /** Returns the kid; rejects anything but a compact JWS with alg ES256 and typ at+jwt. */
  private checkHeader(token: string): string {
    if (
      typeof token !== 'string' ||
      token.length > MAX_TOKEN_LENGTH ||
      token.split('.').length !== 3
    ) {
      throw new TokenRejectedError('malformed');
    }
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new TokenRejectedError('malformed');
    }
    // Only our algorithm: never `none`, never an HMAC keyed with a public key (RFC 8725 §3.1).
    if (header.alg !== SIGNING_ALG) throw new TokenRejectedError('signature');
    // RFC 9068 §4: typ must be at+jwt (or application/at+jwt), so ID tokens are not accepted.
    if (typeof header.typ !== 'string' || normaliseTyp(header.typ) !== ACCESS_TOKEN_TYP) {
      throw new TokenRejectedError('type');
    }
    if (typeof header.kid !== 'string' || header.kid.length === 0)
      throw new TokenRejectedError('malformed');
    return header.kid;
  }

  private async verifySignature(token: string, key: CryptoKey): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: [SIGNING_ALG],
        typ: ACCESS_TOKEN_TYP,
        currentDate: this.clock.now(),
      });
      return payload;
    } catch (err) {
      throw toRejection(err);
    }
  }
}

interface RequiredClaims {
  sub: string;
  client_id: string;
  jti: string;
  scope: string;
  iat: number;
  exp: number;
}

function requiredClaims(payload: JWTPayload): RequiredClaims {
  const { sub, client_id, jti, scope, iat, exp } = payload;
  const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
  if (!nonEmpty(sub) || !nonEmpty(client_id) || !nonEmpty(jti) || typeof scope !== 'string') {
    throw new TokenRejectedError('malformed');
  }
  if (typeof iat !== 'number' || typeof exp !== 'number') throw new TokenRejectedError('malformed');
  return { sub, client_id, jti, scope, iat, exp };
}

/** RFC 7519 §4.1.3: aud is one string or an array; ours must be in it, exactly. */
function audienceMatches(aud: JWTPayload['aud'], expected: string): boolean {
  return typeof aud === 'string' ? aud === expected : Array.isArray(aud) && aud.includes(expected);
}

function normaliseTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

function toRejection(err: unknown): Error {
  if (err instanceof errors.JWTExpired) return new TokenRejectedError('expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    return new TokenRejectedError(err.claim === 'typ' ? 'type' : 'malformed');
  }
  if (
    err instanceof errors.JWSSignatureVerificationFailed ||
    err instanceof errors.JOSEAlgNotAllowed
  ) {
    return new TokenRejectedError('signature');
  }
  if (err instanceof errors.JOSEError) return new TokenRejectedError('malformed');
  return err instanceof Error ? err : new Error(String(err));
}
