import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
} from 'class-validator';
import type { TokenEndpointAuthMethod } from 'src/clients/oauth-client.entity';
import { GRANT_TYPES, GrantType, TOKEN_ENDPOINT_AUTH_METHODS } from 'src/oauth/oauth.constants';
import { IsRedirectUri, SCOPE_TOKEN, Unique } from './validators';

export const MAX_REDIRECT_URIS = 20;
export const MAX_SCOPES = 50;
export const APPLICATION_TYPES = ['web', 'native'] as const;

/** POST /admin/clients. Omitted fields take the defaults shown. */
export class CreateClientDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Reporting dashboard' })
  @IsString()
  @Length(1, 200)
  @Matches(/\S/)
  client_name: string;

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_REDIRECT_URIS,
    example: ['https://app.example.com/callback'],
    description:
      'https, http on a loopback host, or a private-use scheme; required for authorization_code',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_REDIRECT_URIS)
  @Unique()
  @IsRedirectUri({ each: true })
  redirect_uris?: string[];

  @ApiPropertyOptional({
    enum: GRANT_TYPES,
    isArray: true,
    default: ['authorization_code', 'refresh_token'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @Unique()
  @IsIn(GRANT_TYPES, { each: true })
  grant_types?: GrantType[];

  @ApiPropertyOptional({ type: [String], default: ['read', 'write'], example: ['read', 'write'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SCOPES)
  @Unique()
  @Matches(SCOPE_TOKEN, { each: true })
  scope?: string[];

  @ApiPropertyOptional({ enum: TOKEN_ENDPOINT_AUTH_METHODS, default: 'client_secret_basic' })
  @IsOptional()
  @IsIn(TOKEN_ENDPOINT_AUTH_METHODS)
  token_endpoint_auth_method?: TokenEndpointAuthMethod;

  @ApiPropertyOptional({ enum: APPLICATION_TYPES, default: 'web' })
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
