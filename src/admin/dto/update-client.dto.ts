import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsString,
  Length,
  Matches,
  ValidateIf,
} from 'class-validator';
import { GRANT_TYPES, GrantType } from 'src/oauth/oauth.constants';
import { APPLICATION_TYPES, MAX_REDIRECT_URIS, MAX_SCOPES } from './create-client.dto';
import { IsRedirectUri, SCOPE_TOKEN, Unique } from './validators';

/** Present but null is invalid: these columns are never empty. */
const Given = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** PATCH /admin/clients/:id: only the fields given change. */
export class UpdateClientDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @Given()
  @IsString()
  @Length(1, 200)
  @Matches(/\S/)
  client_name?: string;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_REDIRECT_URIS })
  @Given()
  @IsArray()
  @ArrayMaxSize(MAX_REDIRECT_URIS)
  @Unique()
  @IsRedirectUri({ each: true })
  redirect_uris?: string[];

  @ApiPropertyOptional({ enum: GRANT_TYPES, isArray: true })
  @Given()
  @IsArray()
  @ArrayMinSize(1)
  @Unique()
  @IsIn(GRANT_TYPES, { each: true })
  grant_types?: GrantType[];

  @ApiPropertyOptional({ type: [String] })
  @Given()
  @IsArray()
  @ArrayMaxSize(MAX_SCOPES)
  @Unique()
  @Matches(SCOPE_TOKEN, { each: true })
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
