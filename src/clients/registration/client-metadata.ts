import { InvalidClientMetadata, InvalidRedirectUri } from 'src/oauth/errors/oauth-errors';
import { GRANT_TYPES, GrantType } from 'src/oauth/oauth.constants';
import { parseScope } from 'src/oauth/scope';
import { TokenEndpointAuthMethod } from '../oauth-client.entity';
import {
  ApplicationType,
  checkClientFields,
  ClientPolicyViolation,
  DECEPTIVE_CHARACTERS,
} from '../policy/client-policy';
import { RedirectUriRules } from '../policy/redirect-uri-rules';

export type { ApplicationType };

/** The client policy's rules (docs/security.md §11) and the self-registration scope set. */
export interface ClientMetadataPolicy extends RedirectUriRules {
  /** Scopes a registered client may hold; requested ones outside it are dropped (RFC 7591 §2). */
  allowedScopes: readonly string[];
}

/** Registration metadata after validation and defaults: what is stored and echoed back. */
export interface ValidatedClientMetadata {
  redirectUris: string[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  grantTypes: GrantType[];
  responseTypes: string[];
  applicationType: ApplicationType;
  clientName: string;
  scope: string[];
  /** The RFC 7591 §2 fields kept as given (client_uri, logo_uri, contacts, …). */
  metadata: Record<string, unknown>;
}

export const DEFAULT_CLIENT_NAME = 'Unnamed application';
const MAX_URL_FIELD_LENGTH = 2000;
const MAX_SHORT_FIELD_LENGTH = 200;
const MAX_CONTACTS = 10;
const MAX_CONTACT_LENGTH = 320;
const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'none',
];
const DEFAULT_GRANT_TYPES: GrantType[] = ['authorization_code', 'refresh_token'];
const URL_FIELDS = ['client_uri', 'logo_uri', 'tos_uri', 'policy_uri'] as const;
const SHORT_FIELDS = ['software_id', 'software_version'] as const;

export type RawMetadata = Record<string, unknown>;

/**
 * Validates an RFC 7591 registration request (also used for RFC 7592 updates): the readers below
 * check the shape and apply RFC 7591's defaults, then the client policy decides. Unknown fields
 * are ignored; wrong ones fail with `invalid_redirect_uri` or `invalid_client_metadata` naming the
 * field.
 */
export function validateRegistrationMetadata(
  raw: unknown,
  policy: ClientMetadataPolicy,
): ValidatedClientMetadata {
  const body = requireObject(raw);
  const tokenEndpointAuthMethod = readAuthMethod(body);
  const grantTypes = readGrantTypes(body);
  const responseTypes = readResponseTypes(body, grantTypes);
  const redirectUris = readRedirectUris(body, grantTypes.includes('authorization_code'));
  const read = {
    redirectUris,
    tokenEndpointAuthMethod,
    grantTypes,
    responseTypes,
    applicationType: readApplicationType(body),
    clientName: readClientName(body, false),
    scope: readScope(body, policy.allowedScopes),
    metadata: readPreservedMetadata(body),
  };
  try {
    return applyClientPolicy(read, policy);
  } catch (err) {
    if (err instanceof ClientPolicyViolation) throw err.toRegistrationError();
    throw err;
  }
}

/**
 * The client policy on metadata read from a registration or a metadata document: throws
 * ClientPolicyViolation, or returns the metadata with its application_type decided.
 */
export function applyClientPolicy(
  read: Omit<ValidatedClientMetadata, 'applicationType'> & { applicationType?: ApplicationType },
  policy: RedirectUriRules,
): ValidatedClientMetadata {
  const { applicationType } = checkClientFields(read, policy);
  return { ...read, applicationType };
}

export function requireObject(raw: unknown): RawMetadata {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw InvalidClientMetadata('client metadata must be a json object');
  }
  return raw as RawMetadata;
}

function readAuthMethod(body: RawMetadata): TokenEndpointAuthMethod {
  const value = body.token_endpoint_auth_method;
  if (value === undefined || value === null) return 'client_secret_basic'; // RFC 7591 §2 default
  if (typeof value !== 'string')
    throw InvalidClientMetadata('token_endpoint_auth_method must be a string');
  if (!AUTH_METHODS.includes(value as TokenEndpointAuthMethod)) {
    throw InvalidClientMetadata('token_endpoint_auth_method is not supported');
  }
  return value as TokenEndpointAuthMethod;
}

function readGrantTypes(body: RawMetadata): GrantType[] {
  const list = optionalStringArray(body, 'grant_types');
  if (list === undefined) return [...DEFAULT_GRANT_TYPES];
  if (list.length === 0) throw InvalidClientMetadata('grant_types must not be empty');
  list.forEach((g, i) => {
    if (!GRANT_TYPES.includes(g as GrantType))
      throw InvalidClientMetadata(`grant_types[${i}] is not supported`);
  });
  const grants = [...new Set(list)] as GrantType[];
  // A self-registered client acts for a user, never for itself: client_credentials would hand
  // an anonymous registrant user tool scopes with no user behind them (docs/security.md
  // §12.1). Machine clients are created by an administrator.
  if (grants.includes('client_credentials')) {
    throw InvalidClientMetadata(
      'grant_types client_credentials is not available through registration; an administrator creates machine clients',
    );
  }
  if (grants.includes('refresh_token') && !grants.includes('authorization_code')) {
    throw InvalidClientMetadata('grant_types refresh_token requires authorization_code');
  }
  return grants;
}

/** RFC 7591 §2.1: response_types and grant_types must agree (code ⇔ authorization_code). */
function readResponseTypes(body: RawMetadata, grants: readonly GrantType[]): string[] {
  const usesCode = grants.includes('authorization_code');
  const list = optionalStringArray(body, 'response_types');
  if (list === undefined) return usesCode ? ['code'] : [];
  list.forEach((r, i) => {
    if (r !== 'code') throw InvalidClientMetadata(`response_types[${i}] is not supported`);
  });
  const types = [...new Set(list)];
  if (types.includes('code') !== usesCode) {
    throw InvalidClientMetadata('grant_types and response_types are inconsistent');
  }
  return types;
}

/** redirect_uris: required for the code flow; an array of strings, duplicates dropped. */
export function readRedirectUris(body: RawMetadata, required: boolean): string[] {
  const value = body.redirect_uris;
  if (value === undefined || value === null) {
    if (required) throw InvalidRedirectUri('redirect_uris is required');
    return [];
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw InvalidRedirectUri('redirect_uris must be an array of strings');
  }
  if (required && value.length === 0) throw InvalidRedirectUri('redirect_uris must not be empty');
  return [...new Set(value as string[])];
}

/**
 * application_type (OIDC Registration §2, required of MCP clients by 2026-07-28): web or native;
 * absent, the client policy derives it (native when every redirect URI is loopback or a
 * private-use scheme). Native clients may also use https (claimed URLs, RFC 8252 §7.2: VS Code
 * registers https://vscode.dev/redirect next to its loopback URIs).
 */
export function readApplicationType(body: RawMetadata): ApplicationType | undefined {
  const value = body.application_type;
  if (value === undefined || value === null) return undefined;
  if (value !== 'web' && value !== 'native')
    throw InvalidClientMetadata('application_type must be web or native');
  return value;
}

/** client_name: a string, trimmed; its limits are the client policy's. */
export function readClientName(body: RawMetadata, required: boolean): string {
  const value = body.client_name;
  if (value === undefined || value === null) {
    if (required) throw InvalidClientMetadata('client_name is required');
    return DEFAULT_CLIENT_NAME;
  }
  if (typeof value !== 'string') throw InvalidClientMetadata('client_name must be a string');
  const name = value.trim();
  if (name === '') {
    if (required) throw InvalidClientMetadata('client_name must not be empty');
    return DEFAULT_CLIENT_NAME;
  }
  return name;
}

/**
 * scope: requested scopes outside the allowed set are dropped, not refused (RFC 7591 §2 lets the
 * server replace values); nothing left, or nothing requested, means the whole allowed set.
 * offline_access is not stored: the refresh_token grant implies it.
 */
export function readScope(body: RawMetadata, allowed: readonly string[]): string[] {
  const value = body.scope;
  if (value === undefined || value === null) return [...allowed];
  if (typeof value !== 'string') throw InvalidClientMetadata('scope must be a string');
  const requested = parseScope(value);
  if (requested === null) throw InvalidClientMetadata('scope is malformed');
  const kept = requested.filter((s) => allowed.includes(s));
  return kept.length > 0 ? kept : [...allowed];
}

/** The RFC 7591 §2 descriptive fields, kept only when well-formed; empty strings count as absent. */
export function readPreservedMetadata(body: RawMetadata): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const field of URL_FIELDS) {
    const value = optionalString(body, field, MAX_URL_FIELD_LENGTH);
    if (value === undefined) continue;
    if (!isHttpUrl(value)) throw InvalidClientMetadata(`${field} must be an http or https url`);
    kept[field] = value;
  }
  for (const field of SHORT_FIELDS) {
    const value = optionalString(body, field, MAX_SHORT_FIELD_LENGTH);
    if (value !== undefined) kept[field] = value;
  }
  const contacts = optionalStringArray(body, 'contacts');
  if (contacts !== undefined && contacts.length > 0) {
    if (contacts.length > MAX_CONTACTS)
      throw InvalidClientMetadata(`contacts may list at most ${MAX_CONTACTS}`);
    if (contacts.some((c) => c.length > MAX_CONTACT_LENGTH || DECEPTIVE_CHARACTERS.test(c))) {
      throw InvalidClientMetadata('contacts must be short printable strings');
    }
    kept.contacts = contacts;
  }
  return kept;
}

function optionalString(body: RawMetadata, field: string, max: number): string | undefined {
  const value = body[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw InvalidClientMetadata(`${field} must be a string`);
  if (value.length > max) throw InvalidClientMetadata(`${field} is too long`);
  return value;
}

export function optionalStringArray(body: RawMetadata, field: string): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw InvalidClientMetadata(`${field} must be an array of strings`);
  }
  return value as string[];
}

function isHttpUrl(value: string): boolean {
  if (/[\x00-\x20\x7f-\x9f]/.test(value)) return false;
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password
    );
  } catch {
    return false;
  }
}
