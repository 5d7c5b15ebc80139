import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';

export interface ClientFixture {
  clientId: string;
  clientSecret: string | null;
  redirectUris: string[];
}

export interface ClientOverrides {
  clientId?: string;
  clientName?: string;
  redirectUris?: string[];
  scope?: string[];
  grantTypes?: string[];
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'none';
  source?: 'admin' | 'dcr' | 'cimd';
  disabled?: boolean;
}

/** Inserts a client with valid defaults (a confidential admin client with a generated secret). */
export async function insertClient(ds: DataSource, overrides: ClientOverrides = {}): Promise<ClientFixture> {
  const clientId = overrides.clientId ?? `client_${randomBytes(6).toString('hex')}`;
  const method = overrides.tokenEndpointAuthMethod ?? 'client_secret_basic';
  const clientSecret = method === 'none' ? null : `mcpcs_${randomBytes(32).toString('base64url')}`;
  const redirectUris = overrides.redirectUris ?? ['https://app.example.com/callback'];
  await ds.query(
    `INSERT INTO oauth_clients (client_id, client_secret_hash, client_name, redirect_uris, grant_types,
       response_types, scope, token_endpoint_auth_method, application_type, source, disabled)
     VALUES ($1, $2, $3, $4, $5, '{code}', $6, $7, 'web', $8, $9)`,
    [
      clientId,
      clientSecret ? `sha256:${createHash('sha256').update(clientSecret).digest('hex')}` : null,
      overrides.clientName ?? 'Test App',
      redirectUris,
      overrides.grantTypes ?? ['authorization_code', 'refresh_token'],
      overrides.scope ?? ['read', 'write'],
      method,
      overrides.source ?? 'admin',
      overrides.disabled ?? false,
    ],
  );
  return { clientId, clientSecret, redirectUris };
}

export const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
