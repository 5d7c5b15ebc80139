import { Injectable } from '@nestjs/common';
import { SignJWT } from 'jose';
import { Clock } from 'src/common/clock';
import { AppConfig } from 'src/config/app-config';
import { AccessTokenSigner, AccessTokenToSign } from './token-verifier';
import { SigningKeysService } from './signing-keys.service';

/** The JOSE header `typ` of a JWT access token (RFC 9068 §2.1). */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** Signs RFC 9068 JWT access tokens with the active ES256 key. */
@Injectable()
export class JwtAccessTokenSigner extends AccessTokenSigner {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    super();
  }

  async sign(claims: AccessTokenToSign): Promise<{ token: string; expiresAt: Date }> {
    const { kid, alg, privateKey } = await this.keys.signingKey();
    const iat = this.clock.nowSeconds();
    const exp = iat + claims.ttlSeconds;
    // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti; scope as a space-separated string.
    const token = await new SignJWT({ client_id: claims.clientId, scope: claims.scope.join(' ') })
      .setProtectedHeader({ alg, typ: ACCESS_TOKEN_TYP, kid })
      .setIssuer(this.config.issuer)
      .setSubject(claims.sub)
      .setAudience(claims.audience)
      .setJti(claims.jti)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(privateKey);
    return { token, expiresAt: new Date(exp * 1000) };
  }
}
