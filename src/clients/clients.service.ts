import { Injectable } from '@nestjs/common';
import { PasswordHasher } from 'src/common/password-hasher';
import { hashChosenSecret } from './client-secret';
import { ClientsRepository, NewClient } from './clients.repository';
import { OAuthClient } from './oauth-client.entity';

@Injectable()
export class ClientsService {
  constructor(
    private readonly clients: ClientsRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  findByClientId(clientId: string): Promise<OAuthClient | null> {
    return this.clients.findByClientId(clientId);
  }

  /** Registers a client with a human-chosen secret (bcrypt) unless the client_id exists. */
  async createIfAbsent(client: Omit<NewClient, 'clientSecretHash'>, secret: string | null): Promise<boolean> {
    if (await this.clients.findByClientId(client.clientId)) return false;
    const clientSecretHash = secret ? await hashChosenSecret(secret, this.hasher) : null;
    return this.clients.createIfAbsent({ ...client, clientSecretHash });
  }
}
