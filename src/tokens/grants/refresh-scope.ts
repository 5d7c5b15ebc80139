import { InvalidGrant, InvalidScope } from 'src/oauth/errors/oauth-errors';
import { IDENTITY_SCOPES } from 'src/oauth/oauth.constants';
import { isSubset } from 'src/oauth/scope';

/** What the refresh grant knows about who may hold what now (no extra query: see refresh-tokens.repository). */
export interface ScopeHolders {
  /** The client as authenticated for this request. */
  client: { scope: readonly string[]; grantTypes: readonly string[] };
  /** The user's scopes now; null for a family without a user. */
  userScopes: readonly string[] | null;
}

export interface RefreshScope {
  /** What the family may still hold: its successor is stored with this (narrowing sticks). */
  family: string[];
  /** What this access token gets. */
  scope: string[];
}

/**
 * Issue 12 item 4: a refresh is limited to what the user and the client may hold NOW, so removing
 * a scope from either takes effect at the next refresh instead of living on for the refresh
 * token's lifetime (docs/security.md §12.3). A scope survives when it was
 * granted, the client still has it (offline_access: still uses refresh tokens), and the user still
 * holds it (identity scopes are not permissions a user holds, as at the authorization endpoint).
 * Nothing left is `invalid_grant`; asking for a scope no longer held is `invalid_scope`.
 */
export function refreshScope(
  granted: readonly string[],
  requested: readonly string[],
  { client, userScopes }: ScopeHolders,
): RefreshScope {
  if (!isSubset(requested, granted)) throw InvalidScope('scope exceeds the original grant');
  const clientHolds = (s: string) =>
    client.scope.includes(s) ||
    (s === 'offline_access' && client.grantTypes.includes('refresh_token'));
  const userHolds = (s: string) =>
    userScopes === null || IDENTITY_SCOPES.has(s) || userScopes.includes(s);
  const family = granted.filter((s) => clientHolds(s) && userHolds(s));
  if (family.length === 0) throw InvalidGrant('the grant no longer allows any scope');
  if (!isSubset(requested, family)) {
    throw InvalidScope('requested scope is no longer allowed for this user or client');
  }
  return { family, scope: requested.length ? [...requested] : family };
}
