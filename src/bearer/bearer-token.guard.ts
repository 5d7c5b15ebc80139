import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppConfig } from 'src/config/app-config';
import {
  TokenRejectedError,
  TokenVerifier,
  VerifiedAccessToken,
} from 'src/tokens/keys/token-verifier';
import { BearerChallenges } from './bearer-challenges';
import { readBearerToken } from './bearer-token';
import { AuthenticatedRequest, Principal } from './principal.decorator';
import { IS_PUBLIC_KEY } from './public.decorator';
import { REQUIRED_SCOPES_KEY } from './require-scopes.decorator';
import { missingScopes } from './scope-check';

/**
 * Global guard (APP_GUARD): every route needs a valid access token for this server's MCP
 * resource unless it is `@Public()`. It authenticates and authorizes only: the principal goes on
 * the request for `@Principal()`, and failures are thrown as BearerError for the filter to render.
 */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    private readonly challenges: BearerChallenges,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;

    const req = context.switchToHttp().getRequest<Request>();
    const principal = await this.authenticate(req);
    (req as AuthenticatedRequest).principal = principal;

    const required =
      this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES_KEY, targets) ?? [];
    if (missingScopes(principal.scope, required).length > 0) {
      throw this.challenges.insufficientScope(principal.scope, required);
    }
    return true;
  }

  private async authenticate(req: Request): Promise<Principal> {
    const credentials = readBearerToken(req.headers.authorization);
    if (credentials.kind === 'none') throw this.challenges.missingToken();
    if (credentials.kind === 'malformed') throw this.challenges.invalidRequest(credentials.reason);
    let verified: VerifiedAccessToken;
    try {
      // RFC 8707 / MCP: a token minted for another resource is refused (no token passthrough).
      verified = await this.verifier.verify(credentials.token, this.config.mcp.resource);
    } catch (err) {
      if (err instanceof TokenRejectedError) throw this.challenges.invalidToken(err.reason);
      throw err;
    }
    // Defence in depth: the verifier checks `aud` too, but a foreign token must never get through.
    if (verified.audience !== this.config.mcp.resource)
      throw this.challenges.invalidToken('audience');
    return toPrincipal(verified);
  }
}

function toPrincipal(token: VerifiedAccessToken): Principal {
  return {
    sub: token.sub,
    clientId: token.clientId,
    scope: [...token.scope],
    jti: token.jti,
    expiresAt: token.expiresAt,
    audience: token.audience,
  };
}
