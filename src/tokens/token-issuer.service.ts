import { Injectable } from '@nestjs/common';
import { Clock } from 'src/common/clock';
import { sha256Hex } from 'src/common/hashing';
import { RandomSource } from 'src/common/random';
import { AppConfig } from 'src/config/app-config';
import { TOKEN_PREFIX } from 'src/oauth/oauth.constants';
import { formatScope } from 'src/oauth/scope';
import { AccessTokenRecord, IssuedTokensRepository, RefreshTokenRecord } from '../token-store/issued-tokens.repository';
import { AccessTokenSigner } from './keys/token-verifier';

/** RFC 6749 §5.1 successful response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
}

export interface IssueRequest {
  clientId: string;
  userId: string | null;
  scope: string[];
  resource: string;
  grantId: string | null;
  /** Issue a refresh token in the same family, expiring no later than the grant. */
  refresh?: { grantExpiresAt: Date; parentHash: string | null; scope?: string[] };
}

export interface MintedAccessToken {
  token: string;
  record: AccessTokenRecord;
  /** exp - iat of the JWT: the expires_in of the response that carries it. */
  lifetimeSeconds: number;
}

/** Mints JWT access tokens and opaque refresh tokens; records them before the response is sent. */
@Injectable()
export class TokenIssuer {
  constructor(
    private readonly signer: AccessTokenSigner,
    private readonly issued: IssuedTokensRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  /** Signs an access token (RFC 9068); the caller stores `record`. */
  async mintAccess(request: Omit<IssueRequest, 'refresh'>): Promise<MintedAccessToken> {
    const jti = this.random.uuid();
    const ttlSeconds = this.config.ttl.accessToken;
    const { token, expiresAt } = await this.signer.sign({
      jti,
      sub: request.userId ?? request.clientId,
      clientId: request.clientId,
      scope: request.scope,
      audience: request.resource,
      ttlSeconds,
    });
    return {
      token,
      lifetimeSeconds: ttlSeconds,
      record: {
        jti,
        clientId: request.clientId,
        userId: request.userId,
        scope: request.scope,
        resource: request.resource,
        grantId: request.grantId,
        expiresAt,
      },
    };
  }

  /** A new refresh token value and its hash: 256 random bits with a scanner-friendly prefix. */
  newRefreshToken(): { token: string; hash: string } {
    const token = `${TOKEN_PREFIX.refreshToken}${this.random.token(32)}`;
    return { token, hash: sha256Hex(token) };
  }

  /** A refresh token's expiry: the configured lifetime, never past the grant's absolute end. */
  refreshExpiry(grantExpiresAt: Date): Date {
    const wanted = this.clock.in(this.config.ttl.refreshToken);
    return wanted < grantExpiresAt ? wanted : grantExpiresAt;
  }

  async issue(request: IssueRequest): Promise<TokenResponse> {
    const access = await this.mintAccess(request);
    let refresh: { token: string; record: RefreshTokenRecord } | undefined;
    if (request.refresh && request.grantId) {
      const { token, hash } = this.newRefreshToken();
      refresh = {
        token,
        record: {
          tokenHash: hash,
          clientId: request.clientId,
          userId: request.userId,
          scope: request.refresh.scope ?? request.scope,
          resource: request.resource,
          grantId: request.grantId,
          parentHash: request.refresh.parentHash,
          expiresAt: this.refreshExpiry(request.refresh.grantExpiresAt),
        },
      };
    }
    await this.issued.record(access.record, refresh?.record ?? null);
    return this.response(access, refresh?.token);
  }

  recordAccess(access: MintedAccessToken): Promise<void> {
    return this.issued.record(access.record, null);
  }

  response(access: MintedAccessToken, refreshToken?: string): TokenResponse {
    const body: TokenResponse = {
      access_token: access.token,
      token_type: 'Bearer',
      // The token's lifetime (exp - iat), every token here being freshly minted. Not exp - now: the
      // clock read after the database write can be a second later, and the answer then 3599.
      expires_in: access.lifetimeSeconds,
      scope: formatScope(access.record.scope),
    };
    if (refreshToken) body.refresh_token = refreshToken;
    return body;
  }
}
