import { OAuthClient } from '../oauth-client.entity';

/** RFC 7591 §3.2.1 / RFC 7592 §3 client information response. */
export interface ClientInformation {
  client_id: string;
  client_id_issued_at: number;
  client_name: string;
  redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  token_endpoint_auth_method: string;
  application_type: string;
  scope: string;
  client_secret?: string;
  client_secret_expires_at?: number;
  registration_access_token: string;
  registration_client_uri: string;
  [metadata: string]: unknown;
}

export function registrationClientUri(issuer: string, clientId: string): string {
  return `${issuer}/oauth/register/${encodeURIComponent(clientId)}`;
}

/**
 * The client as its registration endpoints describe it. `client_secret` only when one was just
 * issued (only its hash is stored); `client_secret_expires_at` for every confidential client
 * (0 = never, RFC 7591 §3.2.1); `registration_access_token` is the one just issued or presented.
 */
export function toClientInformation(
  client: OAuthClient,
  issuer: string,
  credentials: { registrationAccessToken: string; clientSecret?: string },
): ClientInformation {
  const info: ClientInformation = {
    ...client.metadata,
    client_id: client.clientId,
    client_id_issued_at: Math.floor(client.createdAt.getTime() / 1000),
    client_name: client.clientName,
    redirect_uris: client.redirectUris,
    grant_types: client.grantTypes,
    response_types: client.responseTypes,
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    application_type: client.applicationType,
    scope: client.scope.join(' '),
    registration_access_token: credentials.registrationAccessToken,
    registration_client_uri: registrationClientUri(issuer, client.clientId),
  };
  if (client.clientSecretHash) {
    if (credentials.clientSecret) info.client_secret = credentials.clientSecret;
    info.client_secret_expires_at = client.clientSecretExpiresAt
      ? Math.floor(client.clientSecretExpiresAt.getTime() / 1000)
      : 0;
  }
  return info;
}
