import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsIn, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import type { TokenEndpointAuthMethod } from 'src/clients/oauth-client.entity';
import {
  MAX_CLIENT_NAME_LENGTH,
  MAX_REDIRECT_URIS,
  MAX_SCOPES,
} from 'src/clients/policy/client-policy';
import { GRANT_TYPES, GrantType, TOKEN_ENDPOINT_AUTH_METHODS } from 'src/oauth/oauth.constants';
import { Unique } from './validators';

export const APPLICATION_TYPES = ['web', 'native'] as const;

/**
 * POST /admin/clients. Omitted fields take the defaults shown. The DTO checks the shape only; the
 * client policy (src/clients/policy, docs/security.md §11.1) decides what is acceptable,
 * as for every other way of creating a client.
 */
export class CreateClientDto {
  @ApiProperty({ minLength: 1, maxLength: MAX_CLIENT_NAME_LENGTH, example: 'Reporting dashboard' })
  @IsString()
  client_name: string;

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_REDIRECT_URIS,
    example: ['https://app.example.com/callback'],
    description:
      'https, http on a loopback host, or a reverse-DNS private-use scheme (native clients); required for authorization_code',
  })
  @IsOptional()
  @IsArray()
  @Unique()
  @IsString({ each: true })
  redirect_uris?: string[];

  @ApiPropertyOptional({
    enum: GRANT_TYPES,
    isArray: true,
    default: ['authorization_code', 'refresh_token'],
  })
  @IsOptional()
  @IsArray()
  @Unique()
  @IsIn(GRANT_TYPES, { each: true })
  grant_types?: GrantType[];

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_SCOPES,
    default: ['read', 'write'],
    example: ['read', 'write'],
  })
  @IsOptional()
  @IsArray()
  @Unique()
  @IsString({ each: true })
  scope?: string[];

  @ApiPropertyOptional({ enum: TOKEN_ENDPOINT_AUTH_METHODS, default: 'client_secret_basic' })
  @IsOptional()
  @IsIn(TOKEN_ENDPOINT_AUTH_METHODS)
  token_endpoint_auth_method?: TokenEndpointAuthMethod;

  @ApiPropertyOptional({
    enum: APPLICATION_TYPES,
    description: 'default: native when no redirect URI is https, else web',
  })
  @IsOptional()
  @IsIn(APPLICATION_TYPES)
  application_type?: (typeof APPLICATION_TYPES)[number];

  @ApiPropertyOptional({
    minLength: 16,
    maxLength: 72,
    writeOnly: true,
    description:
      'A secret you choose (stored with bcrypt). Omit it and the server generates a 256-bit one.',
  })
  @IsOptional()
  @IsString()
  @Length(16, 72)
  client_secret?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'When the secret stops working; omit for never',
  })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  client_secret_expires_at?: string;
}
