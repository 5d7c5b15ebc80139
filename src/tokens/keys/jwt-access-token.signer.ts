import { Injectable } from '@nestjs/common';
import type { CryptoKey } from 'jose';
import { KeyObject, sign as signBytes } from 'node:crypto';
import { Clock } from 'src/common/clock';
import { AppConfig } from 'src/config/app-config';
import { AccessTokenSigner, AccessTokenToSign } from './token-verifier';
import { SigningKeysService } from './signing-keys.service';

/** The JOSE header `typ` of a JWT access token (RFC 9068 §2.1). */
export const ACCESS_TOKEN_TYP = 'at+jwt';

const base64urlJson = (value: object): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs RFC 9068 JWT access tokens with the active ES256 key: a compact JWS (RFC 7515 §7.1) whose
 * signature is the raw R‖S pair (RFC 7518 §3.4). Signed with node:crypto directly, synchronously:
 * on the token endpoint's hot path WebCrypto's job round trip costs more than the signature itself
 * (docs/performance.md). jose verifies what this produces (JwtTokenVerifier, and its spec).
 */
@Injectable()
export class JwtAccessTokenSigner extends AccessTokenSigner {
  /** The encoded protected header and the node:crypto key, per signing key. */
  private prepared: { key: CryptoKey; header: string; keyObject: KeyObject } | null = null;

  constructor(
    private readonly keys: SigningKeysService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    super();
  }

  async sign(claims: AccessTokenToSign): Promise<{ token: string; expiresAt: Date }> {
    const { kid, alg, privateKey } = await this.keys.signingKey();
    if (this.prepared?.key !== privateKey) {
      this.prepared = {
        key: privateKey,
        header: base64urlJson({ alg, typ: ACCESS_TOKEN_TYP, kid }),
        keyObject: KeyObject.from(privateKey),
      };
    }
    const iat = this.clock.nowSeconds();
    const exp = iat + claims.ttlSeconds;
    // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti; scope as a space-separated string.
    const payload = base64urlJson({
      client_id: claims.clientId,
      scope: claims.scope.join(' '),
      iss: this.config.issuer,
      sub: claims.sub,
      aud: claims.audience,
      jti: claims.jti,
      iat,
      exp,
    });
    const signingInput = `${this.prepared.header}.${payload}`;
    const signature = signBytes('sha256', Buffer.from(signingInput), {
      key: this.prepared.keyObject,
      dsaEncoding: 'ieee-p1363',
    });
    return { token: `${signingInput}.${signature.toString('base64url')}`, expiresAt: new Date(exp * 1000) };
  }
}
