import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { OAuthClient } from 'src/clients/oauth-client.entity';

/** A client as the admin API shows it: never a hash, never a stored secret. */
export class ClientResponseDto {
  @ApiProperty() client_id: string;
  @ApiProperty() client_name: string;
  @ApiProperty({ type: [String] }) redirect_uris: string[];
  @ApiProperty({ type: [String] }) grant_types: string[];
  @ApiProperty({ type: [String] }) response_types: string[];
  @ApiProperty({ type: [String] }) scope: string[];
  @ApiProperty({ enum: ['client_secret_basic', 'client_secret_post', 'none'] })
  token_endpoint_auth_method: string;
  @ApiProperty({ enum: ['web', 'native'] }) application_type: string;
  @ApiProperty({ enum: ['admin', 'dcr', 'cimd'] }) source: string;
  @ApiProperty({ description: 'false for public clients' }) has_secret: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) client_secret_expires_at:
    string | null;
  @ApiProperty() disabled: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_used_at: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

/** Returned by registration and rotation: the new secret appears here once and never again. */
export class ClientWithSecretResponseDto extends ClientResponseDto {
  @ApiPropertyOptional({
    description: 'The generated secret (mcpcs_…), shown only in this response',
  })
  client_secret?: string;
}

export class ClientPageDto {
  @ApiProperty({ type: [ClientResponseDto] }) items: ClientResponseDto[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Explicit field by field, so nothing new on the entity (like a hash) leaks by default. */
export function toClientResponse(c: OAuthClient): ClientResponseDto {
  return {
    client_id: c.clientId,
    client_name: c.clientName,
    redirect_uris: c.redirectUris,
    grant_types: c.grantTypes,
    response_types: c.responseTypes,
    scope: c.scope,
    token_endpoint_auth_method: c.tokenEndpointAuthMethod,
    application_type: c.applicationType,
    source: c.source,
    has_secret: c.clientSecretHash !== null,
    client_secret_expires_at: iso(c.clientSecretExpiresAt),
    disabled: c.disabled,
    last_used_at: iso(c.lastUsedAt),
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

export function toClientWithSecretResponse(
  c: OAuthClient,
  secret: string | null,
): ClientWithSecretResponseDto {
  return secret ? { ...toClientResponse(c), client_secret: secret } : toClientResponse(c);
}
