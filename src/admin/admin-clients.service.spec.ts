import { NotFoundException } from '@nestjs/common';
import { AuditService } from 'src/audit/audit.service';
import { ClientAdminService } from 'src/clients/client-admin.service';
import { OAuthClient } from 'src/clients/oauth-client.entity';
import { ClientTokenRevocationService } from 'src/tokens/client-token-revocation.service';
import { AdminClientsService } from './admin-clients.service';

const client = (overrides: Partial<OAuthClient> = {}): OAuthClient =>
  Object.assign(new OAuthClient(), {
    clientId: 'c1',
    clientSecretHash: 'sha256:abc',
    clientName: 'App',
    redirectUris: ['https://app.example.com/cb'],
    grantTypes: ['authorization_code'],
    responseTypes: ['code'],
    scope: ['read'],
    tokenEndpointAuthMethod: 'client_secret_basic',
    applicationType: 'web',
    source: 'admin',
    clientSecretExpiresAt: null,
    lastUsedAt: null,
    disabled: false,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  });

describe(AdminClientsService.name, () => {
  let clients: jest.Mocked<
    Pick<
      ClientAdminService,
      'create' | 'findById' | 'update' | 'rotateSecret' | 'setDisabled' | 'delete' | 'list'
    >
  >;
  let tokens: { revokeAllForClient: jest.Mock };
  let audit: { record: jest.Mock };
  let sut: AdminClientsService;

  beforeEach(() => {
    clients = {
      create: jest.fn(),
      findById: jest.fn(),
      update: jest.fn(),
      rotateSecret: jest.fn(),
      setDisabled: jest.fn(),
      delete: jest.fn(),
      list: jest.fn(),
    };
    tokens = { revokeAllForClient: jest.fn().mockResolvedValue({ grants: 2, accessTokens: 3 }) };
    audit = { record: jest.fn() };
    sut = new AdminClientsService(
      clients as unknown as ClientAdminService,
      tokens as unknown as ClientTokenRevocationService,
      audit as unknown as AuditService,
    );
  });

  it('should apply the defaults, return the secret once and never the hash', async () => {
    clients.create.mockResolvedValue({ client: client(), clientSecret: 'mcpcs_secret' });
    const res = await sut.create(
      { client_name: 'App', redirect_uris: ['https://app.example.com/cb'] },
      'admin-1',
    );
    expect(clients.create).toHaveBeenCalledWith(
      expect.objectContaining({
        grantTypes: ['authorization_code', 'refresh_token'],
        scope: ['read', 'write'],
        tokenEndpointAuthMethod: 'client_secret_basic',
      }),
    );
    expect(res.client_secret).toBe('mcpcs_secret');
    expect(JSON.stringify(res)).not.toContain('sha256');
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({
        type: 'client.registered',
        clientId: 'c1',
        details: expect.objectContaining({ actor: 'admin-1' }),
      }),
    );
    expect(JSON.stringify(audit.record.mock.calls)).not.toContain('mcpcs_secret');
  });

  it('should revoke everything the client holds when it becomes disabled, and only then', async () => {
    clients.findById.mockResolvedValue(client());
    clients.setDisabled.mockResolvedValue(client({ disabled: true }));
    await sut.setDisabled('c1', true, 'admin-1');
    expect(tokens.revokeAllForClient).toHaveBeenCalledWith('c1', 'client_disabled');

    tokens.revokeAllForClient.mockClear();
    clients.findById.mockResolvedValue(client({ disabled: true }));
    await sut.setDisabled('c1', true, 'admin-1');
    clients.setDisabled.mockResolvedValue(client());
    await sut.setDisabled('c1', false, 'admin-1');
    expect(tokens.revokeAllForClient).not.toHaveBeenCalled();
  });

  it('should revoke on PATCH {disabled: true} too', async () => {
    clients.findById.mockResolvedValue(client());
    clients.update.mockResolvedValue(client({ disabled: true }));
    await sut.update('c1', { disabled: true }, 'admin-1');
    expect(tokens.revokeAllForClient).toHaveBeenCalledTimes(1);
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({
        type: 'client.updated',
        details: expect.objectContaining({ fields: ['disabled'] }),
      }),
    );
  });

  it('should delete through the one delete path (which revokes first, see ClientDeletion)', async () => {
    clients.delete.mockResolvedValue(true);
    await sut.delete('c1', 'admin-1');
    expect(clients.delete).toHaveBeenCalledWith('c1');
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({ type: 'client.deleted', clientId: 'c1' }),
    );
  });

  it('should answer NotFound for an unknown client and record nothing', async () => {
    clients.findById.mockResolvedValue(null);
    clients.delete.mockResolvedValue(false);
    clients.rotateSecret.mockResolvedValue(null);
    await expect(sut.get('x')).rejects.toBeInstanceOf(NotFoundException);
    await expect(sut.delete('x', 'a')).rejects.toBeInstanceOf(NotFoundException);
    await expect(sut.setDisabled('x', true, 'a')).rejects.toBeInstanceOf(NotFoundException);
    await expect(sut.rotateSecret('x', {}, 'a')).rejects.toBeInstanceOf(NotFoundException);
    expect(tokens.revokeAllForClient).not.toHaveBeenCalled();
    expect(audit.record).not.toHaveBeenCalled();
  });

  it('should say in the audit event whether a rotated secret was generated or chosen', async () => {
    clients.rotateSecret.mockResolvedValue({ client: client(), clientSecret: null });
    await sut.rotateSecret('c1', { client_secret: 'chosen-secret-value' }, 'admin-1');
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({
        type: 'client.secret_rotated',
        details: { actor: 'admin-1', kind: 'chosen' },
      }),
    );
  });
});
