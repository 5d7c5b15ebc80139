import { AppConfig } from 'src/config/app-config';
import { SCOPE_DESCRIPTIONS } from 'src/oauth/oauth.constants';

/**
 * RFC 8414 §2 metadata. `issuer` is byte-identical to ISSUER and to the protected resource
 * metadata's authorization_servers[0] (docs/mcp.md §1 item 4); every endpoint listed is served.
 */
export function authorizationServerMetadata(config: AppConfig, grantTypes: string[]): Record<string, unknown> {
  const base = config.issuer;
  return {
    issuer: base,
    authorization_endpoint: `${base}/oauth/authorize`,
    token_endpoint: `${base}/oauth/token`,
    revocation_endpoint: `${base}/oauth/revoke`,
    introspection_endpoint: `${base}/oauth/introspect`,
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    jwks_uri: `${base}/.well-known/jwks.json`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: grantTypes,
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    scopes_supported: Object.keys(SCOPE_DESCRIPTIONS).filter((s) => s !== 'openid'),
    authorization_response_iss_parameter_supported: true,
    resource_indicators_supported: true,
    service_documentation: `${base}/`,
    // RFC 7591 §3 / docs/mcp.md §1 item 4: absent when registration is switched off.
    ...(config.registration.mode !== 'off' ? { registration_endpoint: `${base}/oauth/register` } : {}),
    ...(config.cimd.enabled ? { client_id_metadata_document_supported: true } : {}),
  };
}

/**
 * The document at /.well-known/openid-configuration (OIDC Discovery §3 location): the RFC 8414
 * metadata plus what this server really does beyond it, the UserInfo endpoint and its public `sub`
 * values. It issues no ID token, so no `id_token_*` field is advertised (an ID-token-expecting
 * relying party must not be led to believe otherwise); MCP clients read
 * /.well-known/oauth-authorization-server first and never get here.
 */
export function openIdConfiguration(config: AppConfig, grantTypes: string[]): Record<string, unknown> {
  return {
    ...authorizationServerMetadata(config, grantTypes),
    userinfo_endpoint: `${config.issuer}/userinfo`,
    subject_types_supported: ['public'],
  };
}
