import { Injectable } from '@nestjs/common';
import { AppConfig } from 'src/config/app-config';
import {
  InvalidClientMetadata,
  InvalidRedirectUri,
  InvalidRequest,
} from 'src/oauth/errors/oauth-errors';
import type { OAuthError } from 'src/oauth/errors/oauth.error';
import type { ClientSource, OAuthClient, TokenEndpointAuthMethod } from '../oauth-client.entity';
import {
  allNative,
  classifyRedirectUri,
  isLoopbackRedirectUri,
  RedirectUriKind,
  RedirectUriRejected,
  RedirectUriRules,
} from './redirect-uri-rules';

/*
 * The one client policy (docs/security.md §11). Every path that creates or changes a
 * client (admin API, CLI, start-up administrator client, seed, RFC 7591 registration, RFC 7592
 * update, Client ID Metadata Documents) ends in `ClientPolicy.check`; DTOs and the RFC 7591
 * readers check only the shape of what they were sent. The limits live here, once.
 */

export type ApplicationType = 'web' | 'native';

export const MAX_CLIENT_NAME_LENGTH = 200;
export const MAX_REDIRECT_URIS = 20;
export const MAX_SCOPES = 50;
/** RFC 6749 §3.3 scope-token characters. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;
/** C0/C1 controls, zero-width and bidi-override characters: they can disguise a name on the consent page. */
export const DECEPTIVE_CHARACTERS =
  /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

/** The fields every client has, whoever registers it (camelCase, as stored). */
export interface ClientFields {
  clientName: string;
  redirectUris: readonly string[];
  grantTypes: readonly string[];
  scope: readonly string[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** Absent: derived from the redirect URIs (native when none is https). */
  applicationType?: ApplicationType;
}

export interface CheckedClient {
  applicationType: ApplicationType;
  redirectUriKinds: RedirectUriKind[];
}

/** A client the policy refuses: `field` and `reason` read as one sentence ("redirect_uris[0] …"). */
export class ClientPolicyViolation extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field} ${reason}`);
    this.name = 'ClientPolicyViolation';
  }

  get description(): string {
    return this.message;
  }

  /** RFC 7591 §3.2.2: invalid_redirect_uri for the redirect URIs, else invalid_client_metadata. */
  toRegistrationError(): OAuthError {
    return this.field.startsWith('redirect_uris')
      ? InvalidRedirectUri(this.description)
      : InvalidClientMetadata(this.description);
  }

  /** The admin API's (and the CLI's) `invalid_request` naming the field. */
  toRequestError(): OAuthError {
    return InvalidRequest(this.description);
  }
}

/**
 * Checks a complete client against the policy, or throws ClientPolicyViolation. Pure: the rules
 * come from the configuration (`ClientPolicy` below).
 */
export function checkClientFields(c: ClientFields, rules: RedirectUriRules): CheckedClient {
  checkClientName(c.clientName);
  const redirectUriKinds = checkRedirectUris(c.redirectUris, rules);
  const applicationType =
    c.applicationType ??
    (redirectUriKinds.length > 0 && allNative(redirectUriKinds) ? 'native' : 'web');
  const custom = redirectUriKinds.indexOf('custom');
  if (applicationType === 'web' && custom >= 0) {
    throw new ClientPolicyViolation(
      `redirect_uris[${custom}]`,
      'uses a private-use uri scheme, which requires application_type native',
    );
  }
  checkGrants(c);
  checkScopes(c.scope);
  return { applicationType, redirectUriKinds };
}

function checkClientName(name: string): void {
  if (typeof name !== 'string' || name.trim() === '')
    throw new ClientPolicyViolation('client_name', 'must not be empty');
  if (name !== name.trim())
    throw new ClientPolicyViolation('client_name', 'must not start or end with spaces');
  if ([...name].length > MAX_CLIENT_NAME_LENGTH) {
    throw new ClientPolicyViolation(
      'client_name',
      `must be at most ${MAX_CLIENT_NAME_LENGTH} characters`,
    );
  }
  if (DECEPTIVE_CHARACTERS.test(name))
    throw new ClientPolicyViolation('client_name', 'contains control characters');
}

function checkRedirectUris(uris: readonly string[], rules: RedirectUriRules): RedirectUriKind[] {
  if (uris.length > MAX_REDIRECT_URIS)
    throw new ClientPolicyViolation('redirect_uris', `may list at most ${MAX_REDIRECT_URIS}`);
  if (new Set(uris).size !== uris.length)
    throw new ClientPolicyViolation('redirect_uris', 'must not repeat a uri');
  return uris.map((uri, i) => {
    try {
      return classifyRedirectUri(uri, rules);
    } catch (err) {
      if (err instanceof RedirectUriRejected)
        throw new ClientPolicyViolation(`redirect_uris[${i}]`, err.reason);
      throw err;
    }
  });
}

/**
 * The rules that span fields: the code flow needs somewhere to return to, refresh tokens come from
 * the code flow, and only a client that can authenticate may act for itself.
 */
function checkGrants(c: ClientFields): void {
  if (c.grantTypes.length === 0)
    throw new ClientPolicyViolation('grant_types', 'must not be empty');
  const code = c.grantTypes.includes('authorization_code');
  if (code && c.redirectUris.length === 0) {
    throw new ClientPolicyViolation(
      'redirect_uris',
      'is required for the authorization_code grant',
    );
  }
  if (c.grantTypes.includes('refresh_token') && !code) {
    throw new ClientPolicyViolation('grant_types', 'refresh_token requires authorization_code');
  }
  if (c.grantTypes.includes('client_credentials') && c.tokenEndpointAuthMethod === 'none') {
    throw new ClientPolicyViolation(
      'grant_types',
      'client_credentials requires a confidential client',
    );
  }
}

function checkScopes(scope: readonly string[]): void {
  if (scope.length > MAX_SCOPES)
    throw new ClientPolicyViolation('scope', `may list at most ${MAX_SCOPES}`);
  scope.forEach((s, i) => {
    if (typeof s !== 'string' || !SCOPE_TOKEN.test(s))
      throw new ClientPolicyViolation(`scope[${i}]`, 'is not a valid scope token');
  });
}

/** Nobody vetted these: anyone can register one (DCR) or publish one (CIMD). */
export function isVetted(client: Pick<OAuthClient, 'source'>): boolean {
  return client.source === 'admin';
}

export function isSelfRegistered(source: ClientSource): boolean {
  return source === 'dcr' || source === 'cimd';
}

/**
 * RFC 9700 §4.11.2: may /authorize send an error to this redirect URI before the person has seen
 * a page of this server? Only for a client an administrator registered, or to a loopback URI (the
 * person's own machine). Otherwise the error is shown as a page, so this server's name cannot
 * launch a phishing page or a protocol handler that an anonymous registrant chose.
 */
export function mayRedirectBeforeInteraction(
  client: Pick<OAuthClient, 'source'>,
  redirectUri: string,
): boolean {
  return isVetted(client) || isLoopbackRedirectUri(redirectUri);
}

/**
 * RFC 8252 §7.3: the port of a loopback IP literal redirect URI may vary for native apps, which
 * are public clients; never for a confidential web client.
 */
export function mayUseAnyLoopbackPort(
  client: Pick<OAuthClient, 'applicationType' | 'tokenEndpointAuthMethod'>,
): boolean {
  return client.applicationType === 'native' || client.tokenEndpointAuthMethod === 'none';
}

/** The policy with this server's configuration: what every create and change path calls. */
@Injectable()
export class ClientPolicy {
  readonly rules: RedirectUriRules;

  constructor(config: AppConfig) {
    this.rules = {
      allowCustomSchemes: config.registration.allowCustomSchemes,
      namedCustomSchemes: config.registration.customSchemes,
    };
  }

  /** @throws ClientPolicyViolation */
  check(client: ClientFields): CheckedClient {
    return checkClientFields(client, this.rules);
  }

  /**
   * Would the policy accept `uri` as a redirect URI today? /authorize asks before using a stored
   * one, so a row from before a stricter policy (or a setting turned off since) cannot be used to
   * redirect anyone.
   */
  permitsRedirectUri(uri: string): boolean {
    try {
      classifyRedirectUri(uri, this.rules);
      return true;
    } catch (err) {
      if (err instanceof RedirectUriRejected) return false;
      throw err;
    }
  }

  /** For the admin API, the CLI and the seed: violations become `invalid_request`. */
  checkForAdmin(client: ClientFields): CheckedClient {
    try {
      return this.check(client);
    } catch (err) {
      if (err instanceof ClientPolicyViolation) throw err.toRequestError();
      throw err;
    }
  }
}
