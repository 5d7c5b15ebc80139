import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
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
import { AdminClientsService } from './admin-clients.service';
import {
  ClientPageDto,
  ClientResponseDto,
  ClientWithSecretResponseDto,
} from './dto/client-response.dto';
import { CreateClientDto } from './dto/create-client.dto';
import { ListClientsQueryDto } from './dto/list-clients.query.dto';
import { RotateSecretDto } from './dto/rotate-secret.dto';
import { UpdateClientDto } from './dto/update-client.dto';

/** /admin/clients: register, list, inspect, change, rotate, disable and delete OAuth clients. */
@ApiTags('clients')
@RequireScopes(ADMIN_SCOPE)
@AdminApi()
@Controller('admin/clients')
export class AdminClientsController {
  constructor(private readonly service: AdminClientsService) {}

  @Post()
  @ApiOperation({ summary: 'Register a client; a generated secret is returned once' })
  @ApiCreatedResponse({ type: ClientWithSecretResponseDto })
  @ApiBadRequestResponse({ description: 'invalid_request naming the field' })
  create(
    @Body() dto: CreateClientDto,
    @Principal() caller: Principal,
  ): Promise<ClientWithSecretResponseDto> {
    return this.service.create(dto, caller.clientId);
  }

  @Get()
  @ApiOperation({ summary: 'List clients, newest first' })
  @ApiOkResponse({ type: ClientPageDto })
  list(@Query() query: ListClientsQueryDto): Promise<ClientPageDto> {
    return this.service.list(query);
  }

  @Get(':id')
  @ApiOkResponse({ type: ClientResponseDto })
  @ApiNotFoundResponse()
  get(@Param('id') id: string): Promise<ClientResponseDto> {
    return this.service.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change name, redirect URIs, grant types, scopes or disabled' })
  @ApiOkResponse({ type: ClientResponseDto })
  @ApiNotFoundResponse()
  update(
    @Param('id') id: string,
    @Body() dto: UpdateClientDto,
    @Principal() caller: Principal,
  ): Promise<ClientResponseDto> {
    return this.service.update(id, dto, caller.clientId);
  }

  @Post(':id/secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rotate the secret; the old one stops working at once' })
  @ApiOkResponse({ type: ClientWithSecretResponseDto })
  @ApiNotFoundResponse()
  rotateSecret(
    @Param('id') id: string,
    @Body() dto: RotateSecretDto,
    @Principal() caller: Principal,
  ): Promise<ClientWithSecretResponseDto> {
    return this.service.rotateSecret(id, dto, caller.clientId);
  }

  @Post(':id/disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disable the client and revoke every token it holds' })
  @ApiOkResponse({ type: ClientResponseDto })
  @ApiNotFoundResponse()
  disable(@Param('id') id: string, @Principal() caller: Principal): Promise<ClientResponseDto> {
    return this.service.setDisabled(id, true, caller.clientId);
  }

  @Post(':id/enable')
  @HttpCode(200)
  @ApiOkResponse({ type: ClientResponseDto })
  @ApiNotFoundResponse()
  enable(@Param('id') id: string, @Principal() caller: Principal): Promise<ClientResponseDto> {
    return this.service.setDisabled(id, false, caller.clientId);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete the client with its codes, grants, tokens and consents' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  delete(@Param('id') id: string, @Principal() caller: Principal): Promise<void> {
    return this.service.delete(id, caller.clientId);
  }
}
