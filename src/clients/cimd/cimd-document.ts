import { OAuthError } from 'src/oauth/errors/oauth.error';
import { GrantType } from 'src/oauth/oauth.constants';
import { ClientPolicyViolation } from '../policy/client-policy';
import {
  applyClientPolicy,
  ClientMetadataPolicy,
  optionalStringArray,
  RawMetadata,
  readApplicationType,
  readClientName,
  readPreservedMetadata,
  readRedirectUris,
  readScope,
  requireObject,
  ValidatedClientMetadata,
} from '../registration/client-metadata';
import { CimdError } from './cimd-error';

/** JWK members that hold private or symmetric key material (RFC 7517, RFC 7518 §6). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const SUPPORTED_GRANTS: GrantType[] = ['authorization_code', 'refresh_token'];

/**
 * Validates a fetched Client ID Metadata Document (CIMD draft §4, docs/mcp.md §1 item 25) into the
 * client this server will use: `client_id` equal to the URL exactly, a non-empty `client_name`,
 * `redirect_uris` under the client policy (docs/security.md §11.2), no secrets or private keys, and the public-client
 * profile (auth method none; grants narrowed to the code flow and refresh). A document written for
 * many servers may offer more than we support: we pick what we can, and refuse only when nothing fits.
 */
export function validateCimdDocument(
  raw: unknown,
  url: string,
  policy: ClientMetadataPolicy,
): ValidatedClientMetadata {
  try {
    const doc = requireObject(raw);
    if (doc.client_id !== url) throw new CimdError('client_id does not match the document url');
    rejectSecrets(doc);
    negotiateAuthMethod(doc);
    const grantTypes = negotiateGrantTypes(doc);
    const responseTypes = optionalStringArray(doc, 'response_types');
    if (responseTypes && !responseTypes.includes('code'))
      throw new CimdError('response_types must include code');
    const read = {
      redirectUris: readRedirectUris(doc, true),
      tokenEndpointAuthMethod: 'none' as const,
      grantTypes,
      responseTypes: ['code'],
      applicationType: readApplicationType(doc),
      clientName: readClientName(doc, true),
      scope: readScope(doc, policy.allowedScopes),
      metadata: readPreservedMetadata(doc),
    };
    return applyClientPolicy(read, policy);
  } catch (err) {
    // The field checks shared with registration speak RFC 7591; here they describe the document.
    if (err instanceof ClientPolicyViolation) throw new CimdError(err.description);
    if (err instanceof OAuthError) throw new CimdError(err.description ?? err.code);
    throw err;
  }
}

function rejectSecrets(doc: RawMetadata): void {
  if ('client_secret' in doc || 'client_secret_expires_at' in doc) {
    throw new CimdError('document must not contain a client secret');
  }
  const jwks = doc.jwks;
  if (jwks === undefined) return;
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray(keys))
    throw new CimdError('jwks must be a jwk set');
  for (const key of keys) {
    if (typeof key !== 'object' || key === null) throw new CimdError('jwks must be a jwk set');
    if (PRIVATE_JWK_MEMBERS.some((m) => m in key))
      throw new CimdError('document must not contain private keys');
  }
}

/**
 * Only `none` is implemented for CIMD clients. A document may prefer private_key_jwt and still
 * offer none in token_endpoint_auth_methods_supported (ChatGPT does, cloudflare #295).
 */
function negotiateAuthMethod(doc: RawMetadata): void {
  const preferred = doc.token_endpoint_auth_method;
  if (preferred !== undefined && typeof preferred !== 'string') {
    throw new CimdError('token_endpoint_auth_method must be a string');
  }
  const offered = optionalStringArray(doc, 'token_endpoint_auth_methods_supported');
  if (preferred === 'client_secret_basic' || preferred === 'client_secret_post') {
    throw new CimdError('client secret authentication is not possible with a metadata document');
  }
  if (preferred === undefined || preferred === 'none') {
    if (offered && !offered.includes('none'))
      throw new CimdError('token_endpoint_auth_method none is not offered');
    return;
  }
  if (!offered?.includes('none')) throw new CimdError('token_endpoint_auth_method must be none');
}

function negotiateGrantTypes(doc: RawMetadata): GrantType[] {
  const listed = optionalStringArray(doc, 'grant_types');
  if (listed === undefined) return [...SUPPORTED_GRANTS];
  const grants = SUPPORTED_GRANTS.filter((g) => listed.includes(g));
  if (!grants.includes('authorization_code'))
    throw new CimdError('grant_types must include authorization_code');
  return grants;
}
