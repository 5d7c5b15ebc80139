import { OAuthError } from 'src/oauth/errors/oauth.error';

/**
 * A Client ID Metadata Document could not be used. `reason` is short, lower-case ASCII and names
 * no secret (it may name the URL's parts, which are public).
 */
export class CimdError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'CimdError';
  }
}

/**
 * The protocol error for an unresolvable CIMD client: `invalid_client` (docs/mcp.md §1 item 25). At
 * /authorize it is rendered as the "Unknown application" page (status 400, never a redirect); the
 * token endpoint's client authentication turns it into its own 401.
 */
export function cimdInvalidClient(reason: string): OAuthError {
  return new OAuthError('invalid_client', `client metadata document: ${reason}`, 400);
}
