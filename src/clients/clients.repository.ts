import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { withPurgeLock } from 'src/database/batched-purge';
import { ClientChangeNotices } from './client-change-notices';
import { ClientSource, OAuthClient } from './oauth-client.entity';

export type NewClient = Pick<OAuthClient, 'clientId' | 'clientName' | 'redirectUris'> &
  Partial<
    Omit<OAuthClient, 'clientId' | 'clientName' | 'redirectUris' | 'createdAt' | 'updatedAt'>
  >;

export interface ClientListFilters {
  source?: ClientSource;
  disabled?: boolean;
  /** Case-insensitive substring of client_name (or an exact client_id). */
  q?: string;
  limit: number;
  offset: number;
}

/** The registration metadata every client has (RFC 7591 §2), whoever registered it. */
type MetadataFields =
  | 'clientName'
  | 'redirectUris'
  | 'grantTypes'
  | 'responseTypes'
  | 'scope'
  | 'tokenEndpointAuthMethod'
  | 'applicationType';

/** What an administrator may change. */
export type ClientChanges = Partial<
  Pick<OAuthClient, MetadataFields | 'disabled' | 'clientSecretHash' | 'clientSecretExpiresAt'>
>;

/** The metadata a self-registered client controls, as stored. */
export type RegisteredMetadata = Pick<OAuthClient, MetadataFields | 'metadata'>;

/** Escapes LIKE wildcards (backslash is PostgreSQL's default LIKE escape) so `q` matches literally. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * oauth_clients: the protocol's lookups, the administrator's changes, DCR and CIMD rows. Every
 * write reports the client to ClientChangeNotices, so no instance keeps serving a cached copy.
 */
@Injectable()
export class ClientsRepository {
  constructor(
    @InjectRepository(OAuthClient) private readonly repo: Repository<OAuthClient>,
    private readonly notices: ClientChangeNotices,
  ) {}

  findByClientId(clientId: string): Promise<OAuthClient | null> {
    return this.repo.findOneBy({ clientId });
  }

  async insert(client: NewClient): Promise<OAuthClient> {
    await this.repo.insert(client as QueryDeepPartialEntity<OAuthClient>);
    await this.notices.changed(client.clientId);
    return (await this.repo.findOneBy({ clientId: client.clientId }))!;
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
    if (result.raw.length > 0) await this.notices.changed(client.clientId);
    return result.raw.length > 0;
  }

  async touchLastUsed(clientId: string, at: Date): Promise<void> {
    await this.repo.update({ clientId }, { lastUsedAt: at });
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

  /**
   * Applies `changes` (undefined = unchanged, never "set to null"), only to a client of `source`
   * when given; returns the updated row, or null when there is no such client.
   */
  async update(
    clientId: string,
    changes: ClientChanges | RegisteredMetadata,
    source?: ClientSource,
  ): Promise<OAuthClient | null> {
    const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    if (Object.keys(given).length > 0) {
      const result = await this.repo.update(
        source ? { clientId, source } : { clientId },
        given as QueryDeepPartialEntity<OAuthClient>,
      );
      if ((result.affected ?? 0) === 0) return null;
      await this.notices.changed(clientId);
    }
    return this.repo.findOneBy(source ? { clientId, source } : { clientId });
  }

  /** Deletes the client (of `source`, when given); codes, grants, tokens and consents cascade. */
  async delete(clientId: string, source?: ClientSource): Promise<boolean> {
    const result = await this.repo.delete(source ? { clientId, source } : { clientId });
    if ((result.affected ?? 0) > 0) await this.notices.changed(clientId);
    return (result.affected ?? 0) > 0;
  }

  /**
   * Up to `limit` dynamically registered clients unused (no token request, or none since
   * registration) before `cutoff`, read under the purge lock `maintenance:dcr_clients`; null when
   * another instance holds it. Only candidates: ClientDeletion deletes them, each on its own.
   */
  findUnusedDcr(cutoff: Date, limit: number): Promise<string[] | null> {
    return withPurgeLock(this.repo.manager, 'dcr_clients', async (tx) => {
      const rows = (await tx.query(
        `SELECT client_id FROM oauth_clients
          WHERE source = 'dcr' AND coalesce(last_used_at, created_at) < $1 LIMIT $2`,
        [cutoff.toISOString(), limit],
      )) as Array<{ client_id: string }>;
      return rows.map((r) => r.client_id);
    });
  }

  /**
   * Deletes the client only if it is (still) a dynamically registered one unused before `cutoff`:
   * the condition and the delete are one statement, so a client used since it was picked stays.
   */
  async deleteIfUnusedDcr(clientId: string, cutoff: Date): Promise<boolean> {
    const [, affected] = (await this.repo.manager.query(
      `DELETE FROM oauth_clients
        WHERE client_id = $1 AND source = 'dcr' AND coalesce(last_used_at, created_at) < $2`,
      [clientId, cutoff.toISOString()],
    )) as [unknown, number];
    if (affected > 0) await this.notices.changed(clientId);
    return affected > 0;
  }

  /**
   * Inserts or refreshes the row of a CIMD client (so codes and tokens can reference it). A row
   * of another source with the same client_id is never overwritten.
   */
  async upsertCimd(clientId: string, m: RegisteredMetadata): Promise<void> {
    await this.repo.query(
      `INSERT INTO oauth_clients (client_id, client_secret_hash, client_name, redirect_uris, grant_types,
         response_types, scope, token_endpoint_auth_method, application_type, source, metadata)
       VALUES ($1, NULL, $2, $3::text[], $4::text[], $5::text[], $6::text[], $7, $8, 'cimd', $9::jsonb)
       ON CONFLICT (client_id) DO UPDATE SET
         client_name = EXCLUDED.client_name, redirect_uris = EXCLUDED.redirect_uris,
         grant_types = EXCLUDED.grant_types, response_types = EXCLUDED.response_types,
         scope = EXCLUDED.scope, token_endpoint_auth_method = EXCLUDED.token_endpoint_auth_method,
         application_type = EXCLUDED.application_type, metadata = EXCLUDED.metadata, updated_at = now()
       WHERE oauth_clients.source = 'cimd'`,
      [
        clientId,
        m.clientName,
        m.redirectUris,
        m.grantTypes,
        m.responseTypes,
        m.scope,
        m.tokenEndpointAuthMethod,
        m.applicationType,
        JSON.stringify(m.metadata),
      ],
    );
    await this.notices.changed(clientId);
  }
}
