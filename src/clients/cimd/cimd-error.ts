import { InvalidClient } from 'src/oauth/errors/oauth-errors';
import type { OAuthError } from 'src/oauth/errors/oauth.error';

/**
 * A Client ID Metadata Document could not be used. `reason` is short, lower-case ASCII and names
 * no secret (it may name the URL's parts, which are public).
 */
export class CimdError extends Error {
  constructor(
    readonly reason: string,
    /** What really happened, for the server log only (never in a response). */
    readonly detail?: string,
  ) {
    super(reason);
    this.name = 'CimdError';
  }
}

/**
 * The one public reason for every failure to fetch a document (DNS, address, port, connection,
 * status, content type, size, encoding, json, redirects, timeout): naming them would make the
 * server a port-scanning oracle (docs/security.md §11.6). The log keeps the detail.
 */
export const CIMD_FETCH_FAILED = 'could not be fetched';

/**
 * The protocol error for an unresolvable CIMD client: `invalid_client` (docs/mcp.md §1 item 25). At
 * /authorize it is rendered as the "Unknown application" page (status 400, never a redirect); the
 * token endpoint's client authentication turns it into its own 401.
 */
export function cimdInvalidClient(reason: string): OAuthError {
  return InvalidClient(`client metadata document: ${reason}`, undefined, 400);
}
