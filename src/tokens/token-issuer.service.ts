import { Injectable } from '@nestjs/common';
import { Clock } from 'src/common/clock';
import { sha256Hex } from 'src/common/hashing';
import { RandomSource } from 'src/common/random';
import { AppConfig } from 'src/config/app-config';
import { TOKEN_PREFIX } from 'src/oauth/oauth.constants';
import { formatScope } from 'src/oauth/scope';
import { AccessTokenSigner } from './keys/token-verifier';
import { IssuedTokensRepository } from './issued-tokens.repository';

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
  refresh?: { grantExpiresAt: Date; parentHash: string | null };
}

/** Mints the JWT access token (and the opaque refresh token) and records both before answering. */
@Injectable()
export class TokenIssuer {
  constructor(
    private readonly signer: AccessTokenSigner,
    private readonly issued: IssuedTokensRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  async issue(request: IssueRequest): Promise<TokenResponse & { refreshTokenHash?: string }> {
    const jti = this.random.uuid();
    const ttl = this.config.ttl.accessToken;
    const { token, expiresAt } = await this.signer.sign({
      jti,
      sub: request.userId ?? request.clientId,
      clientId: request.clientId,
      scope: request.scope,
      audience: request.resource,
      ttlSeconds: ttl,
    });
    const access = {
      jti,
      clientId: request.clientId,
      userId: request.userId,
      scope: request.scope,
      resource: request.resource,
      grantId: request.grantId,
      expiresAt,
    };
    let refreshToken: string | undefined;
    let refreshTokenHash: string | undefined;
    if (request.refresh && request.grantId) {
      refreshToken = `${TOKEN_PREFIX.refreshToken}${this.random.token(32)}`;
      refreshTokenHash = sha256Hex(refreshToken);
      const wanted = this.clock.in(this.config.ttl.refreshToken);
      const expires = wanted < request.refresh.grantExpiresAt ? wanted : request.refresh.grantExpiresAt;
      await this.issued.record(access, {
        tokenHash: refreshTokenHash,
        clientId: request.clientId,
        userId: request.userId,
        scope: request.scope,
        resource: request.resource,
        grantId: request.grantId,
        parentHash: request.refresh.parentHash,
        expiresAt: expires,
      });
    } else {
      await this.issued.record(access, null);
    }
    const response: TokenResponse & { refreshTokenHash?: string } = {
      access_token: token,
      token_type: 'Bearer',
      expires_in: Math.max(0, Math.round((expiresAt.getTime() - this.clock.now().getTime()) / 1000)),
      scope: formatScope(request.scope),
    };
    if (refreshToken) response.refresh_token = refreshToken;
    if (refreshTokenHash) Object.defineProperty(response, 'refreshTokenHash', { value: refreshTokenHash, enumerable: false });
    return response;
  }
}
