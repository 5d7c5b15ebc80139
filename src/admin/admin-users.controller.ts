import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Principal } from 'src/bearer/principal.decorator';
import { RequireScopes } from 'src/bearer/require-scopes.decorator';
import { ADMIN_SCOPE, AdminApi } from './admin-api.decorator';
import { AdminUsersService } from './admin-users.service';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQueryDto } from './dto/list-users.query.dto';
import { ResetPasswordDto } from './dto/reset-password.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserPageDto, UserResponseDto } from './dto/user-response.dto';

/** /admin/users: accounts, profile and scopes, disabling, password resets. */
@ApiTags('users')
@RequireScopes(ADMIN_SCOPE)
@AdminApi()
@Controller('admin/users')
export class AdminUsersController {
  constructor(private readonly service: AdminUsersService) {}

  @Post()
  @ApiCreatedResponse({ type: UserResponseDto })
  @ApiConflictResponse({ description: 'username already exists' })
  create(@Body() dto: CreateUserDto, @Principal() caller: Principal): Promise<UserResponseDto> {
    return this.service.create(dto, caller.clientId);
  }

  @Get()
  @ApiOperation({ summary: 'List users, newest first' })
  @ApiOkResponse({ type: UserPageDto })
  list(@Query() query: ListUsersQueryDto): Promise<UserPageDto> {
    return this.service.list(query);
  }

  @Get(':id')
  @ApiOkResponse({ type: UserResponseDto })
  @ApiNotFoundResponse()
  get(@Param('id') id: string): Promise<UserResponseDto> {
    return this.service.get(id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change email, name, scopes or disabled (disabling revokes every grant)',
  })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiNotFoundResponse()
  update(
    @Param('id') id: string,
    @Body() dto: UpdateUserDto,
    @Principal() caller: Principal,
  ): Promise<UserResponseDto> {
    return this.service.update(id, dto, caller.clientId);
  }

  @Post(':id/password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Set a new password; revokes every grant the person holds' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  resetPassword(
    @Param('id') id: string,
    @Body() dto: ResetPasswordDto,
    @Principal() caller: Principal,
  ): Promise<void> {
    return this.service.resetPassword(id, dto, caller.clientId);
  }
}
