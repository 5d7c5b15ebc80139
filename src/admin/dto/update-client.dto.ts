import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsIn, IsString, ValidateIf } from 'class-validator';
import {
  MAX_CLIENT_NAME_LENGTH,
  MAX_REDIRECT_URIS,
  MAX_SCOPES,
} from 'src/clients/policy/client-policy';
import { GRANT_TYPES, GrantType } from 'src/oauth/oauth.constants';
import { APPLICATION_TYPES } from './create-client.dto';
import { Unique } from './validators';

/** Present but null is invalid: these columns are never empty. */
const Given = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

/**
 * PATCH /admin/clients/:id: only the fields given change. Shape only; the client policy checks the
 * client as it would be after the change.
 */
export class UpdateClientDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: MAX_CLIENT_NAME_LENGTH })
  @Given()
  @IsString()
  client_name?: string;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_REDIRECT_URIS })
  @Given()
  @IsArray()
  @Unique()
  @IsString({ each: true })
  redirect_uris?: string[];

  @ApiPropertyOptional({ enum: GRANT_TYPES, isArray: true })
  @Given()
  @IsArray()
  @Unique()
  @IsIn(GRANT_TYPES, { each: true })
  grant_types?: GrantType[];

  @ApiPropertyOptional({ type: [String], maxItems: MAX_SCOPES })
  @Given()
  @IsArray()
  @Unique()
  @IsString({ each: true })
  scope?: string[];

  @ApiPropertyOptional({ enum: APPLICATION_TYPES })
  @Given()
  @IsIn(APPLICATION_TYPES)
  application_type?: (typeof APPLICATION_TYPES)[number];

  @ApiPropertyOptional({ description: 'true revokes every token the client holds' })
  @Given()
  @IsBoolean()
  disabled?: boolean;
}
