import { Clock } from 'src/common/clock';
import { sha256Hex } from 'src/common/hashing';
import { PasswordHasher } from 'src/common/password-hasher';
import { RandomSource } from 'src/common/random';
import { AppConfig } from 'src/config/app-config';
import { OAuthError } from 'src/oauth/errors/oauth.error';
import { ClientDeletion } from './client-deletion.service';
import { ClientAdminService, NewAdminClient } from './client-admin.service';
import { ClientChanges, ClientsRepository, NewClient } from './clients.repository';
import { OAuthClient } from './oauth-client.entity';
import { ClientPolicy } from './policy/client-policy';

class FixedClock extends Clock {
  now(): Date {
    return new Date('2026-01-01T00:00:00Z');
  }
}

class CountingRandom extends RandomSource {
  private n = 0;
  token(bytes = 32): string {
    return `r${++this.n}`.padEnd(Math.ceil((bytes * 4) / 3), 'x');
  }
  uuid(): string {
    return `00000000-0000-4000-8000-${String(++this.n).padStart(12, '0')}`;
  }
}

/** oauth_clients in memory, behind both repositories the service uses. */
class InMemoryClients {
  readonly rows = new Map<string, OAuthClient>();

  put(client: NewClient): OAuthClient {
    const row = Object.assign(new OAuthClient(), {
      clientSecretHash: null,
      grantTypes: ['authorization_code', 'refresh_token'],
      responseTypes: ['code'],
      scope: [],
      tokenEndpointAuthMethod: 'client_secret_basic',
      applicationType: 'web',
      source: 'admin',
      registrationAccessTokenHash: null,
      clientSecretExpiresAt: null,
      lastUsedAt: null,
      disabled: false,
      metadata: {},
      createdAt: new Date(),
      updatedAt: new Date(),
      ...client,
    });
    this.rows.set(row.clientId, row);
    return row;
  }

  readonly clients = {
    findByClientId: async (id: string) => this.rows.get(id) ?? null,
    createIfAbsent: async (client: NewClient) => {
      if (this.rows.has(client.clientId)) return false;
      this.put(client);
      return true;
    },
    insert: async (client: NewClient) => this.put(client),
    update: async (id: string, changes: ClientChanges) => {
      const row = this.rows.get(id);
      if (!row) return null;
      Object.assign(
        row,
        Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)),
      );
      return row;
    },
    delete: async (id: string) => this.rows.delete(id),
  } as unknown as ClientsRepository;
}

const confidential = (overrides: Partial<NewAdminClient> = {}): NewAdminClient => ({
  clientName: 'App',
  redirectUris: ['https://app.example.com/cb'],
  grantTypes: ['authorization_code', 'refresh_token'],
  scope: ['read'],
  tokenEndpointAuthMethod: 'client_secret_basic',
  ...overrides,
});

describe(ClientAdminService.name, () => {
  let db: InMemoryClients;
  let hasher: PasswordHasher;
  let sut: ClientAdminService;

  beforeEach(() => {
    db = new InMemoryClients();
    hasher = new PasswordHasher(4);
    sut = new ClientAdminService(
      db.clients,
      hasher,
      new CountingRandom(),
      new FixedClock(),
      new ClientPolicy({
        registration: { allowCustomSchemes: true, customSchemes: ['cursor'] },
      } as unknown as AppConfig),
      new ClientDeletion(db.clients),
    );
  });

  const rejects = async (promise: Promise<unknown>, description: string) => {
    const err = await promise.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthError);
    expect(err).toMatchObject({ code: 'invalid_request', description });
  };

  describe('create', () => {
    it('should generate a client_id and a prefixed secret, shown once and stored as SHA-256', async () => {
      const { client, clientSecret } = await sut.create(confidential());
      expect(client.clientId).toMatch(/^mcp_r\d/);
      expect(clientSecret).toMatch(/^mcpcs_/);
      expect(client.clientSecretHash).toBe(`sha256:${sha256Hex(clientSecret!)}`);
      expect(client).toMatchObject({
        source: 'admin',
        responseTypes: ['code'],
        applicationType: 'web',
      });
    });

    it('should store a chosen secret with bcrypt and never return it', async () => {
      const { client, clientSecret } = await sut.create(
        confidential({ clientSecret: 'chosen-secret-123456' }),
      );
      expect(clientSecret).toBeNull();
      expect(client.clientSecretHash).toMatch(/^bcrypt:\$2b\$04\$/);
      expect(
        await hasher.verify(
          'chosen-secret-123456',
          client.clientSecretHash!.slice('bcrypt:'.length),
        ),
      ).toBe(true);
    });

    it('should register a public client without any secret', async () => {
      const { client, clientSecret } = await sut.create(
        confidential({ tokenEndpointAuthMethod: 'none' }),
      );
      expect(clientSecret).toBeNull();
      expect(client.clientSecretHash).toBeNull();
    });

    it('should give a client_credentials-only client no response types', async () => {
      const { client } = await sut.create(
        confidential({ grantTypes: ['client_credentials'], redirectUris: [] }),
      );
      expect(client.responseTypes).toEqual([]);
    });

    it.each([
      [
        { tokenEndpointAuthMethod: 'none' as const, clientSecret: 'chosen-secret-123456' },
        'client_secret is not allowed when token_endpoint_auth_method is none',
      ],
      [{ redirectUris: [] }, 'redirect_uris is required for the authorization_code grant'],
      [
        { grantTypes: ['refresh_token' as const] },
        'grant_types refresh_token requires authorization_code',
      ],
      [{ grantTypes: [] }, 'grant_types must not be empty'],
      [
        { tokenEndpointAuthMethod: 'none' as const, grantTypes: ['client_credentials' as const] },
        'grant_types client_credentials requires a confidential client',
      ],
      [
        { clientSecretExpiresAt: new Date('2025-12-31T23:59:59Z') },
        'client_secret_expires_at must be in the future',
      ],
    ])('should refuse %j', async (overrides, description) => {
      await rejects(sut.create(confidential(overrides)), description);
      expect(db.rows.size).toBe(0);
    });
  });

  describe('update', () => {
    it('should change only the fields given and keep response types in step with grant types', async () => {
      const { client } = await sut.create(confidential());
      const updated = await sut.update(client.clientId, {
        clientName: 'Renamed',
        grantTypes: ['client_credentials'],
        scope: undefined,
      });
      expect(updated).toMatchObject({
        clientName: 'Renamed',
        grantTypes: ['client_credentials'],
        responseTypes: [],
        scope: ['read'],
      });
    });

    it('should check the merged result for consistency', async () => {
      const { client } = await sut.create(confidential());
      await rejects(
        sut.update(client.clientId, { redirectUris: [] }),
        'redirect_uris is required for the authorization_code grant',
      );
      expect(db.rows.get(client.clientId)!.redirectUris).toEqual(['https://app.example.com/cb']);
    });

    it('should return null for an unknown client', async () => {
      expect(await sut.update('nope', { clientName: 'x' })).toBeNull();
      expect(await sut.setDisabled('nope', true)).toBeNull();
      expect(await sut.rotateSecret('nope')).toBeNull();
    });
  });

  describe('rotateSecret', () => {
    it('should replace the hash with a new generated secret and clear the expiry', async () => {
      const { client, clientSecret } = await sut.create(
        confidential({ clientSecretExpiresAt: new Date('2026-06-01T00:00:00Z') }),
      );
      const rotated = await sut.rotateSecret(client.clientId);
      expect(rotated!.clientSecret).toMatch(/^mcpcs_/);
      expect(rotated!.clientSecret).not.toBe(clientSecret);
      expect(rotated!.client.clientSecretHash).toBe(`sha256:${sha256Hex(rotated!.clientSecret!)}`);
      expect(rotated!.client.clientSecretExpiresAt).toBeNull();
    });

    it('should refuse a public client', async () => {
      const { client } = await sut.create(confidential({ tokenEndpointAuthMethod: 'none' }));
      await rejects(
        sut.rotateSecret(client.clientId),
        'client is public (token_endpoint_auth_method none) and has no secret',
      );
    });
  });

  describe('ensureAdminClient', () => {
    it('should create the client, then leave it alone while the secret is the same', async () => {
      expect(await sut.ensureAdminClient('ops', 'an-admin-secret-of-length')).toBe('created');
      const row = db.rows.get('ops')!;
      expect(row).toMatchObject({
        grantTypes: ['client_credentials'],
        scope: ['admin'],
        tokenEndpointAuthMethod: 'client_secret_basic',
      });
      expect(row.clientSecretHash).toMatch(/^bcrypt:/);
      const hash = row.clientSecretHash;
      expect(await sut.ensureAdminClient('ops', 'an-admin-secret-of-length')).toBe('unchanged');
      expect(db.rows.get('ops')!.clientSecretHash).toBe(hash);
    });

    it('should replace the hash when the secret changed and restore the admin scope and grant', async () => {
      await sut.ensureAdminClient('ops', 'an-admin-secret-of-length');
      await sut.update('ops', {
        scope: ['read'],
        grantTypes: ['authorization_code'],
        redirectUris: ['https://a.example/cb'],
      });
      expect(await sut.ensureAdminClient('ops', 'a-different-admin-secret')).toBe('updated');
      const row = db.rows.get('ops')!;
      expect(row.scope).toEqual(['read', 'admin']);
      expect(row.grantTypes).toEqual(['authorization_code', 'client_credentials']);
      expect(
        await hasher.verify(
          'a-different-admin-secret',
          row.clientSecretHash!.slice('bcrypt:'.length),
        ),
      ).toBe(true);
    });
  });
});
