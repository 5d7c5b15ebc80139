import { OAuthError } from './oauth.error';

export interface BearerChallenge {
  realm?: string;
  resourceMetadata?: string;
  scope?: string[];
}

const quote = (v: string) => `"${v.replace(/["\\]/g, '')}"`;

/**
 * RFC 6750 §3: an error from a bearer-protected resource, with the WWW-Authenticate challenge
 * MCP clients follow (docs/mcp.md §1 items 1, 7, 8). With `code` undefined the challenge carries no
 * error attribute (no credentials were sent, RFC 6750 §3.1).
 */
export class BearerError extends OAuthError {
  constructor(
    code: 'invalid_token' | 'insufficient_scope' | 'invalid_request' | undefined,
    description: string | undefined,
    challenge: BearerChallenge,
  ) {
    super(code ?? 'invalid_token', description, code === undefined ? 401 : undefined);
    this.name = 'BearerError';
    const parts: string[] = [];
    if (challenge.realm) parts.push(`realm=${quote(challenge.realm)}`);
    if (code) parts.push(`error=${quote(code)}`);
    if (code && description) parts.push(`error_description=${quote(description)}`);
    if (challenge.scope?.length) parts.push(`scope=${quote(challenge.scope.join(' '))}`);
    if (challenge.resourceMetadata) parts.push(`resource_metadata=${quote(challenge.resourceMetadata)}`);
    this.withHeader('WWW-Authenticate', `Bearer ${parts.join(', ')}`);
    this.bare = code === undefined;
  }

  /** No credentials were presented: the body carries no error either. */
  readonly bare: boolean;
}
