import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { NewClient } from '../clients.repository';
import { OAuthClient } from '../oauth-client.entity';

/** The metadata a self-registered client controls (RFC 7591 §2), as stored. */
export type RegisteredMetadata = Pick<
  OAuthClient,
  | 'clientName'
  | 'redirectUris'
  | 'grantTypes'
  | 'responseTypes'
  | 'scope'
  | 'tokenEndpointAuthMethod'
  | 'applicationType'
  | 'metadata'
>;

/**
 * oauth_clients rows that clients create themselves: dynamic registration (source 'dcr', RFC 7591/
 * 7592) and Client ID Metadata Documents (source 'cimd'). Kept apart from ClientsRepository (the
 * protocol's lookups) and ClientAdminRepository (the administrator's view).
 */
@Injectable()
export class RegisteredClientsRepository {
  constructor(@InjectRepository(OAuthClient) private readonly repo: Repository<OAuthClient>) {}

  findByClientId(clientId: string): Promise<OAuthClient | null> {
    return this.repo.findOneBy({ clientId });
  }

  async insert(client: NewClient): Promise<OAuthClient> {
    await this.repo.insert(client as QueryDeepPartialEntity<OAuthClient>);
    return (await this.repo.findOneBy({ clientId: client.clientId }))!;
  }

  /** RFC 7592 update of a dynamically registered client; null when it no longer exists. */
  async updateMetadata(clientId: string, changes: RegisteredMetadata): Promise<OAuthClient | null> {
    const result = await this.repo.update(
      { clientId, source: 'dcr' },
      changes as QueryDeepPartialEntity<OAuthClient>,
    );
    if ((result.affected ?? 0) === 0) return null;
    return this.repo.findOneBy({ clientId });
  }

  /** Deletes a dynamically registered client; codes, grants, tokens and consents cascade. */
  async deleteDcr(clientId: string): Promise<boolean> {
    const result = await this.repo.delete({ clientId, source: 'dcr' });
    return (result.affected ?? 0) > 0;
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
  }

  /** Deletes dynamically registered clients created before `olderThan` and unused since. */
  async deleteUnusedDcr(olderThan: Date): Promise<number> {
    const result = await this.repo
      .createQueryBuilder()
      .delete()
      .from(OAuthClient)
      .where("source = 'dcr'")
      .andWhere('created_at < :olderThan', { olderThan })
      .andWhere('(last_used_at IS NULL OR last_used_at < :olderThan)', { olderThan })
      .returning(['client_id'])
      .execute();
    return result.affected ?? (Array.isArray(result.raw) ? result.raw.length : 0);
  }
}
