import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { OAuthClient } from './oauth-client.entity';

export type NewClient = Pick<OAuthClient, 'clientId' | 'clientName' | 'redirectUris'> &
  Partial<Omit<OAuthClient, 'clientId' | 'clientName' | 'redirectUris' | 'createdAt' | 'updatedAt'>>;

@Injectable()
export class ClientsRepository {
  constructor(@InjectRepository(OAuthClient) private readonly repo: Repository<OAuthClient>) {}

  findByClientId(clientId: string): Promise<OAuthClient | null> {
    return this.repo.findOneBy({ clientId });
  }

  /** Inserts unless the client_id exists; returns whether a row was created. */
  async createIfAbsent(client: NewClient): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .insert()
      .into(OAuthClient)
      .values(client as QueryDeepPartialEntity<OAuthClient>)
      .orIgnore()
      .returning(['client_id'])
      .execute();
    return result.raw.length > 0;
  }

  async touchLastUsed(clientId: string, at: Date): Promise<void> {
    await this.repo.update({ clientId }, { lastUsedAt: at });
  }
}
