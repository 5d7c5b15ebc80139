import { Injectable } from '@nestjs/common';
import { PasswordHasher } from 'src/common/password-hasher';
import { CimdResolver } from './cimd/cimd-resolver.service';
import { ClientCache } from './client-cache';
import { hashChosenSecret } from './client-secret';
import { ClientsRepository, NewClient } from './clients.repository';
import { OAuthClient } from './oauth-client.entity';
import { ClientPolicy } from './policy/client-policy';

@Injectable()
export class ClientsService {
  constructor(
    private readonly clients: ClientsRepository,
    private readonly hasher: PasswordHasher,
    private readonly cimd: CimdResolver,
    private readonly policy: ClientPolicy,
    private readonly cache: ClientCache,
  ) {}

  /**
   * The client for a protocol request (/authorize, /token): a stored client, or for an https
   * client_id with a path, the client its metadata document describes (CIMD). Stored clients come
   * from the ClientCache: no database read in steady state.
   * @throws OAuthError invalid_client when a metadata document cannot be fetched or is unacceptable.
   */
  findByClientId(clientId: string): Promise<OAuthClient | null> {
    if (this.cimd.handles(clientId)) return this.cimd.resolve(clientId);
    return this.cache.get(clientId, (id) => this.clients.findByClientId(id));
  }

  /**
   * Registers a client with a human-chosen secret (bcrypt) unless the client_id exists (the seed).
   * The client policy applies as to every other path (docs/security.md §11.1).
   */
  async createIfAbsent(
    client: Omit<NewClient, 'clientSecretHash'>,
    secret: string | null,
  ): Promise<boolean> {
    this.policy.checkForAdmin({
      clientName: client.clientName,
      redirectUris: client.redirectUris,
      grantTypes: client.grantTypes ?? [],
      scope: client.scope ?? [],
      tokenEndpointAuthMethod:
        client.tokenEndpointAuthMethod ?? (secret ? 'client_secret_basic' : 'none'),
      applicationType: client.applicationType,
    });
    if (await this.clients.findByClientId(client.clientId)) return false;
    const clientSecretHash = secret ? await hashChosenSecret(secret, this.hasher) : null;
    return this.clients.createIfAbsent({ ...client, clientSecretHash });
  }
}
