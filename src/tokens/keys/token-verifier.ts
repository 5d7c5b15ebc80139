/** A verified JWT access token (RFC 9068), as the resource server sees it. */
export interface VerifiedAccessToken {
  jti: string;
  /** `sub`: the user id, or the client id for client_credentials tokens. */
  sub: string;
  clientId: string;
  scope: string[];
  /** `aud`: the resource the token was issued for (RFC 8707). */
  audience: string;
  issuedAt: number;
  expiresAt: number;
}

/** Why a token was refused; the bearer guard maps every reason to 401 invalid_token. */
export type TokenRejection = 'malformed' | 'signature' | 'expired' | 'issuer' | 'audience' | 'revoked' | 'type';

export class TokenRejectedError extends Error {
  constructor(readonly reason: TokenRejection) {
    super(`access token rejected: ${reason}`);
    this.name = 'TokenRejectedError';
  }
}

/**
 * Verifies access tokens: signature against the JWKS keys, `typ: at+jwt`, `iss`, `aud` equal to the
 * expected resource, `exp`, and revocation. Throws TokenRejectedError. The hot path of every tool call.
 */
export abstract class TokenVerifier {
  abstract verify(token: string, expectedAudience: string): Promise<VerifiedAccessToken>;
}

export interface AccessTokenToSign {
  jti: string;
  sub: string;
  clientId: string;
  scope: string[];
  audience: string;
  ttlSeconds: number;
}

/** Signs RFC 9068 access tokens with the current signing key. */
export abstract class AccessTokenSigner {
  abstract sign(claims: AccessTokenToSign): Promise<{ token: string; expiresAt: Date }>;
}
