import { Injectable, NotFoundException } from '@nestjs/common';
import { AuditService } from 'src/audit/audit.service';
import { ClientAdminService } from 'src/clients/client-admin.service';
import { OAuthClient } from 'src/clients/oauth-client.entity';
import { MCP_BASELINE_SCOPES } from 'src/oauth/oauth.constants';
import { ClientTokenRevocationService } from 'src/tokens/client-token-revocation.service';
import {
  ClientPageDto,
  ClientResponseDto,
  ClientWithSecretResponseDto,
  toClientResponse,
  toClientWithSecretResponse,
} from './dto/client-response.dto';
import { CreateClientDto } from './dto/create-client.dto';
import { ListClientsQueryDto } from './dto/list-clients.query.dto';
import { DEFAULT_PAGE_SIZE } from './dto/pagination.dto';
import { RotateSecretDto } from './dto/rotate-secret.dto';
import { UpdateClientDto } from './dto/update-client.dto';

const notFound = () => new NotFoundException('client not found');
const toDate = (value: string | undefined) => (value === undefined ? undefined : new Date(value));

/**
 * The admin API's client use cases: maps the wire DTOs, applies the change through the clients
 * module, kills tokens when a client is disabled or deleted, and records the audit event.
 * `actor` is the calling administrator's client_id.
 */
@Injectable()
export class AdminClientsService {
  constructor(
    private readonly clients: ClientAdminService,
    private readonly tokens: ClientTokenRevocationService,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreateClientDto, actor: string): Promise<ClientWithSecretResponseDto> {
    const { client, clientSecret } = await this.clients.create({
      clientName: dto.client_name,
      redirectUris: dto.redirect_uris ?? [],
      grantTypes: dto.grant_types ?? ['authorization_code', 'refresh_token'],
      scope: dto.scope ?? [...MCP_BASELINE_SCOPES],
      tokenEndpointAuthMethod: dto.token_endpoint_auth_method ?? 'client_secret_basic',
      applicationType: dto.application_type,
      clientSecret: dto.client_secret,
      clientSecretExpiresAt: toDate(dto.client_secret_expires_at),
    });
    this.record('client.registered', client.clientId, actor, {
      token_endpoint_auth_method: client.tokenEndpointAuthMethod,
      grant_types: client.grantTypes,
      scope: client.scope,
    });
    return toClientWithSecretResponse(client, clientSecret);
  }

  async list(query: ListClientsQueryDto): Promise<ClientPageDto> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const offset = query.offset ?? 0;
    const page = await this.clients.list({
      source: query.source,
      disabled: query.disabled,
      q: query.q,
      limit,
      offset,
    });
    return { items: page.items.map(toClientResponse), total: page.total, limit, offset };
  }

  async get(clientId: string): Promise<ClientResponseDto> {
    return toClientResponse(await this.found(this.clients.findById(clientId)));
  }

  async update(clientId: string, dto: UpdateClientDto, actor: string): Promise<ClientResponseDto> {
    const before = await this.found(this.clients.findById(clientId));
    const client = await this.found(
      this.clients.update(clientId, {
        clientName: dto.client_name,
        redirectUris: dto.redirect_uris,
        grantTypes: dto.grant_types,
        scope: dto.scope,
        applicationType: dto.application_type,
        disabled: dto.disabled,
      }),
    );
    const revoked =
      client.disabled && !before.disabled ? await this.revokeAll(clientId) : undefined;
    const fields = Object.keys(dto).filter(
      (k) => (dto as Record<string, unknown>)[k] !== undefined,
    );
    this.record('client.updated', clientId, actor, { fields, ...(revoked && { revoked }) });
    return toClientResponse(client);
  }

  async rotateSecret(
    clientId: string,
    dto: RotateSecretDto,
    actor: string,
  ): Promise<ClientWithSecretResponseDto> {
    const rotated = await this.clients.rotateSecret(clientId, {
      clientSecret: dto.client_secret,
      clientSecretExpiresAt: toDate(dto.client_secret_expires_at),
    });
    if (!rotated) throw notFound();
    this.record('client.secret_rotated', clientId, actor, {
      kind: dto.client_secret === undefined ? 'generated' : 'chosen',
    });
    return toClientWithSecretResponse(rotated.client, rotated.clientSecret);
  }

  /** Disabling also revokes every grant and access token the client holds. */
  async setDisabled(
    clientId: string,
    disabled: boolean,
    actor: string,
  ): Promise<ClientResponseDto> {
    const before = await this.found(this.clients.findById(clientId));
    const client = await this.found(this.clients.setDisabled(clientId, disabled));
    const revoked = disabled && !before.disabled ? await this.revokeAll(clientId) : undefined;
    this.record('client.updated', clientId, actor, {
      fields: ['disabled'],
      disabled,
      ...(revoked && { revoked }),
    });
    return toClientResponse(client);
  }

  /**
   * Deletes the client through the one delete path (`ClientDeletion`, shared with RFC 7592): its
   * tokens are revoked and broadcast first, then ON DELETE CASCADE removes the rest.
   */
  async delete(clientId: string, actor: string): Promise<void> {
    if (!(await this.clients.delete(clientId))) throw notFound();
    this.record('client.deleted', clientId, actor, {});
  }

  private revokeAll(clientId: string) {
    return this.tokens.revokeAllForClient(clientId, 'client_disabled');
  }

  private async found(pending: Promise<OAuthClient | null>): Promise<OAuthClient> {
    const client = await pending;
    if (!client) throw notFound();
    return client;
  }

  private record(
    type: 'client.registered' | 'client.updated' | 'client.deleted' | 'client.secret_rotated',
    clientId: string,
    actor: string,
    details: Record<string, unknown>,
  ): void {
    this.audit.record({ type, outcome: 'success', clientId, details: { actor, ...details } });
  }
}
