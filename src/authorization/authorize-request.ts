import { OAuthClient } from 'src/clients/oauth-client.entity';
import {
  mayRedirectBeforeInteraction,
  mayUseAnyLoopbackPort,
} from 'src/clients/policy/client-policy';
import { findRegisteredRedirectUri } from 'src/clients/policy/redirect-uri-rules';
import { PageError, InvalidRequest, InvalidScope, InvalidTarget, UnauthorizedClient, UnsupportedResponseType } from 'src/oauth/errors/oauth-errors';
import { OAuthError } from 'src/oauth/errors/oauth.error';
import { isValidS256Challenge } from 'src/oauth/pkce';
import { RawParams, single } from 'src/oauth/request-params';
import { checkResource as resourceWithin } from 'src/oauth/resource';
import { checkScope as scopeWithin, parseScope } from 'src/oauth/scope';

/** A fully validated authorization request (RFC 6749 §4.1.1 + RFC 7636 + RFC 8707). */
export interface AuthorizationRequest {
  client: OAuthClient;
  redirectUri: string;
  state?: string;
  scope: string[];
  resource: string;
  codeChallenge: string;
  prompt: Set<string>;
}

export interface AuthorizeContext {
  issuer: string;
  resource: string;
  findClient(clientId: string): Promise<OAuthClient | null>;
  /** Does the client policy still accept this stored redirect URI (docs/security.md §11.2)? */
  redirectUriPermitted(uri: string): boolean;
}

const MAX_STATE_LENGTH = 4096;
/** Scopes a client may always request when it can use refresh tokens (OIDC Core §11). */
const OFFLINE_ACCESS = 'offline_access';

/*
 * /authorize as a list of small named checks (docs/style.md §8 rule 4). The first two run before the redirect
 * URI is trusted, so their errors are rendered as a page and never redirected (RFC 9700 §4.1.1);
 * every later error goes back to the client with state and iss, unless nobody vetted the client
 * and the redirect URI leaves the person's machine: then it is a page too (RFC 9700 §4.11.2,
 * docs/security.md §11.3).
 */

export async function checkClient(params: RawParams, ctx: AuthorizeContext): Promise<OAuthClient> {
  const clientId = pageParam(params, 'client_id');
  if (!clientId) throw new PageError('invalid_request', 'client_id is required');
  const client = await ctx.findClient(clientId);
  if (!client || client.disabled) throw new PageError('invalid_client', 'unknown client', 400);
  return client;
}

export function checkRedirectUri(params: RawParams, client: OAuthClient, ctx: AuthorizeContext): string {
  const requested = pageParam(params, 'redirect_uri');
  let registered: string | undefined;
  if (requested === undefined) {
    // RFC 6749 §3.1.2.3: may be omitted only when exactly one URI is registered.
    if (client.redirectUris.length !== 1) throw new PageError('invalid_request', 'redirect_uri is required');
    registered = client.redirectUris[0];
  } else {
    registered = findRegisteredRedirectUri(requested, client.redirectUris, mayUseAnyLoopbackPort(client));
    if (!registered) throw new PageError('invalid_request', 'redirect_uri is not registered for this client');
  }
  if (!ctx.redirectUriPermitted(registered)) {
    throw new PageError('invalid_request', "redirect_uri is not allowed by this server's client policy");
  }
  return requested ?? registered;
}

export function checkState(params: RawParams): string | undefined {
  const state = params.state;
  if (state === undefined) return undefined;
  if (typeof state !== 'string') throw InvalidRequest('state must be given once');
  if (state.length > MAX_STATE_LENGTH) throw InvalidRequest('state is too long');
  return state;
}

export function checkDuplicates(params: RawParams): void {
  for (const [name, value] of Object.entries(params)) {
    if (Array.isArray(value)) throw InvalidRequest(`${name} must be given once`);
  }
}

export function checkResponseType(params: RawParams, client: OAuthClient): void {
  const responseType = single(params, 'response_type');
  if (!responseType) throw InvalidRequest('response_type is required');
  if (responseType !== 'code') throw UnsupportedResponseType();
  if (!client.responseTypes.includes('code') || !client.grantTypes.includes('authorization_code')) {
    throw UnauthorizedClient('client may not use the authorization code flow');
  }
}

/** PKCE is required of every client, S256 only (OAuth 2.1 §4.1.1, RFC 9700 §2.1.1). */
export function checkPkce(params: RawParams): string {
  const challenge = single(params, 'code_challenge');
  const method = single(params, 'code_challenge_method');
  if (!challenge) throw InvalidRequest('code_challenge is required');
  if (!method) throw InvalidRequest('code_challenge_method is required');
  if (method !== 'S256') throw InvalidRequest('code_challenge_method must be S256');
  if (!isValidS256Challenge(challenge)) throw InvalidRequest('code_challenge is malformed');
  return challenge;
}

/** Requested scope must be within the client's; absent means all of the client's scopes. */
export function checkScope(params: RawParams, client: OAuthClient): string[] {
  const value = single(params, 'scope');
  if (parseScope(value)?.length === 0 && client.scope.length === 0) throw InvalidScope('no scope requested and none registered');
  const allowed = client.grantTypes.includes('refresh_token') ? [...client.scope, OFFLINE_ACCESS] : client.scope;
  return scopeWithin(value, client.scope, allowed, 'requested scope is not allowed for this client');
}

/** RFC 8707: absent means this server's MCP resource; anything else is invalid_target. */
export function checkResource(params: RawParams, ctx: AuthorizeContext): string {
  resourceWithin(single(params, 'resource'), ctx.resource);
  return ctx.resource;
}

export function checkPrompt(params: RawParams): Set<string> {
  const prompt = single(params, 'prompt');
  const values = new Set((prompt ?? '').split(' ').filter(Boolean));
  if (values.has('none') && values.size > 1) throw InvalidRequest('prompt=none cannot be combined');
  return values;
}

/** Runs every check in order; errors after the redirect URI check are marked for redirection. */
export async function validateAuthorizationRequest(
  params: RawParams,
  ctx: AuthorizeContext,
): Promise<AuthorizationRequest> {
  const client = await checkClient(params, ctx);
  const redirectUri = checkRedirectUri(params, client, ctx);
  let state: string | undefined;
  try {
    state = checkState(params);
    checkDuplicates(params);
    checkResponseType(params, client);
    const codeChallenge = checkPkce(params);
    const scope = checkScope(params, client);
    const resource = checkResource(params, ctx);
    const prompt = checkPrompt(params);
    return { client, redirectUri, state, scope, resource, codeChallenge, prompt };
  } catch (err) {
    if (err instanceof OAuthError) {
      if (!mayRedirectBeforeInteraction(client, redirectUri)) throw err;
      const s = typeof params.state === 'string' && params.state.length <= MAX_STATE_LENGTH ? params.state : state;
      throw err.redirectTo({ redirectUri, state: s, iss: ctx.issuer });
    }
    throw err;
  }
}

/** client_id and redirect_uri must each appear at most once, or the request cannot be trusted. */
function pageParam(params: RawParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new PageError('invalid_request', `${name} must be given once`);
  return value;
}
