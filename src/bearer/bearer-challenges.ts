import { Injectable } from '@nestjs/common';
import { AppConfig } from 'src/config/app-config';
import { BearerError } from 'src/oauth/errors/bearer.error';
import { MCP_BASELINE_SCOPES } from 'src/oauth/oauth.constants';
import { TokenRejection } from 'src/tokens/keys/token-verifier';
import { stepUpScopes } from './scope-check';

const REJECTION_DESCRIPTIONS: Record<TokenRejection, string> = {
  malformed: 'invalid access token',
  signature: 'invalid access token',
  type: 'invalid access token',
  issuer: 'invalid access token',
  expired: 'access token expired',
  revoked: 'access token revoked',
  audience: 'access token not issued for this resource',
};

/**
 * Builds the RFC 6750 §3 errors of this resource server, each carrying the PRM URL (RFC 9728 §5.1)
 * so MCP clients can discover the authorization server (docs/mcp.md §1 items 1, 7, 8).
 */
@Injectable()
export class BearerChallenges {
  constructor(private readonly config: AppConfig) {}

  /** No credentials: 401 without an error code, asking for the baseline scopes. */
  missingToken(): BearerError {
    return new BearerError(
      undefined,
      'authentication required',
      this.challenge(MCP_BASELINE_SCOPES),
    );
  }

  /** Bad, expired, revoked or foreign token: 401 invalid_token. */
  invalidToken(reason?: TokenRejection): BearerError {
    const description = reason ? REJECTION_DESCRIPTIONS[reason] : 'invalid access token';
    return new BearerError('invalid_token', description, this.challenge(MCP_BASELINE_SCOPES));
  }

  /** Malformed Authorization header: 400 invalid_request. */
  invalidRequest(description: string): BearerError {
    return new BearerError('invalid_request', description, this.challenge([]));
  }

  /** Valid token lacking scopes: 403 insufficient_scope with needed ∪ granted scopes. */
  insufficientScope(granted: readonly string[], required: readonly string[]): BearerError {
    const needed = [...new Set(required)];
    return new BearerError(
      'insufficient_scope',
      `requires scope ${needed.join(' ')}`,
      this.challenge(stepUpScopes(granted, needed)),
    );
  }

  private challenge(scope: readonly string[]) {
    return { resourceMetadata: this.config.mcp.resourceMetadataUrl, scope: [...scope] };
  }
}
