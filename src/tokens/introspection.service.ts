import { Injectable } from '@nestjs/common';
import { BoundedCache } from 'src/common/bounded-cache';
import { OAuthClient } from 'src/clients/oauth-client.entity';
import { Clock } from 'src/common/clock';
import { sha256Hex } from 'src/common/hashing';
import { AppConfig } from 'src/config/app-config';
import { TOKEN_PREFIX } from 'src/oauth/oauth.constants';
import { formatScope } from 'src/oauth/scope';
import { UsersService } from 'src/users/users.service';
import { TokenVerifier } from './keys/token-verifier';
import { RefreshTokensRepository } from '../token-store/refresh-tokens.repository';

export type IntrospectionResponse = { active: false } | ({ active: true } & Record<string, unknown>);

/** Clients holding this scope in their registration may introspect any token (resource servers). */
export const INTROSPECTION_SCOPE = 'introspection';
/** Usernames remembered by user id: a username never changes and an id is never reused. */
const MAX_USERNAMES = 10_000;

/**
 * RFC 7662. Anything invalid, expired, revoked or not the caller's to see is `{"active": false}`
 * and nothing else (§2.2), so the answer leaks nothing about other clients' tokens.
 */
@Injectable()
export class IntrospectionService {
  private readonly usernames = new BoundedCache<string, string>(MAX_USERNAMES);

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly users: UsersService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async introspect(caller: OAuthClient, token: string): Promise<IntrospectionResponse> {
    const info = token.startsWith(TOKEN_PREFIX.refreshToken) ? await this.refresh(token) : await this.access(token);
    if (!info) return { active: false };
    if ((info as Record<string, unknown>).client_id !== caller.clientId && !caller.scope.includes(INTROSPECTION_SCOPE)) return { active: false };
    return info;
  }

  private async access(token: string): Promise<IntrospectionResponse | null> {
    try {
      const t = await this.verifier.verify(token, this.config.mcp.resource);
      return {
        active: true,
        scope: formatScope(t.scope),
        client_id: t.clientId,
        ...(await this.username(t.sub, t.clientId)),
        sub: t.sub,
        aud: t.audience,
        iss: this.config.issuer,
        exp: t.expiresAt,
        iat: t.issuedAt,
        token_type: 'Bearer',
        jti: t.jti,
      };
    } catch {
      return null;
    }
  }

  private async refresh(token: string): Promise<IntrospectionResponse | null> {
    const stored = await this.refreshTokens.findByHash(sha256Hex(token));
    const now = this.clock.now();
    if (!stored || stored.revoked || stored.grantRevokedAt || stored.usedAt) return null;
    if (stored.expiresAt <= now || stored.grantExpiresAt <= now) return null;
    const sub = stored.userId ?? stored.clientId;
    return {
      active: true,
      scope: formatScope(stored.scope),
      client_id: stored.clientId,
      ...(await this.username(sub, stored.clientId)),
      sub,
      aud: stored.resource,
      iss: this.config.issuer,
      exp: Math.floor(stored.expiresAt.getTime() / 1000),
      token_type: 'refresh_token',
    };
  }

  /**
   * The user's username, read once per user: usernames cannot be changed and ids are never reused
   * (a deleted user's tokens are gone with the user, so they are inactive before this is asked).
   */
  private async username(sub: string, clientId: string): Promise<{ username?: string }> {
    if (sub === clientId) return {};
    const known = this.usernames.get(sub, 0);
    if (known !== undefined) return { username: known };
    const user = await this.users.findById(sub);
    if (!user) return {};
    this.usernames.set(sub, user.username, Number.POSITIVE_INFINITY);
    return { username: user.username };
  }
}
