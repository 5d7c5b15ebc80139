import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { NewClient } from './clients.repository';
import { ClientSource, OAuthClient } from './oauth-client.entity';

export interface ClientListFilters {
  source?: ClientSource;
  disabled?: boolean;
  /** Case-insensitive substring of client_name (or an exact client_id). */
  q?: string;
  limit: number;
  offset: number;
}

export type ClientChanges = Partial<
  Pick<
    OAuthClient,
    | 'clientName'
    | 'redirectUris'
    | 'grantTypes'
    | 'responseTypes'
    | 'scope'
    | 'tokenEndpointAuthMethod'
    | 'applicationType'
    | 'disabled'
    | 'clientSecretHash'
    | 'clientSecretExpiresAt'
  >
>;

/** Escapes LIKE wildcards (backslash is PostgreSQL's default LIKE escape) so `q` matches literally. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The administrator's view of oauth_clients: listing, partial updates and deletion. Kept apart
 * from ClientsRepository (the protocol's lookups) so the two evolve independently.
 */
@Injectable()
export class ClientAdminRepository {
  constructor(@InjectRepository(OAuthClient) private readonly repo: Repository<OAuthClient>) {}

  async insert(client: NewClient): Promise<OAuthClient> {
    await this.repo.insert(client as QueryDeepPartialEntity<OAuthClient>);
    return (await this.repo.findOneBy({ clientId: client.clientId }))!;
  }

  async list(filters: ClientListFilters): Promise<{ items: OAuthClient[]; total: number }> {
    const qb = this.repo.createQueryBuilder('c');
    if (filters.source !== undefined) qb.andWhere('c.source = :source', { source: filters.source });
    if (filters.disabled !== undefined)
      qb.andWhere('c.disabled = :disabled', { disabled: filters.disabled });
    if (filters.q) {
      qb.andWhere('(c.clientName ILIKE :pattern OR c.clientId = :q)', {
        pattern: likePattern(filters.q),
        q: filters.q,
      });
    }
    const [items, total] = await qb
      .orderBy('c.createdAt', 'DESC')
      .addOrderBy('c.clientId', 'ASC')
      .skip(filters.offset)
      .take(filters.limit)
      .getManyAndCount();
    return { items, total };
  }

  /** Applies `changes`; returns the updated row, or null when no such client exists. */
  async update(clientId: string, changes: ClientChanges): Promise<OAuthClient | null> {
    // Only the fields given: an undefined value means "unchanged", never "set to null".
    const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    if (Object.keys(given).length > 0) {
      const result = await this.repo.update(
        { clientId },
        given as QueryDeepPartialEntity<OAuthClient>,
      );
      if ((result.affected ?? 0) === 0) return null;
    }
    return this.repo.findOneBy({ clientId });
  }

  /** Deletes the client; its codes, grants, tokens and consents go with it (ON DELETE CASCADE). */
  async delete(clientId: string): Promise<boolean> {
    const result = await this.repo.delete({ clientId });
    return (result.affected ?? 0) > 0;
  }
}
