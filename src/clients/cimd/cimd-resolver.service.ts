import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from 'src/audit/audit.service';
import { Clock } from 'src/common/clock';
import { AppConfig } from 'src/config/app-config';
import { OAuthClient } from '../oauth-client.entity';
import { ClientMetadataPolicy } from '../registration/client-metadata';
import { ClientsRepository } from '../clients.repository';
import { ClientPolicy } from '../policy/client-policy';
import { validateCimdDocument } from './cimd-document';
import { CIMD_FETCH_FAILED, CimdError, cimdInvalidClient } from './cimd-error';
import { fetchMetadataDocument, FetchedDocument } from './cimd-fetcher';
import { looksLikeCimdUrl, parseCimdUrl } from './cimd-url';
import { cacheLifetimeSeconds, TtlLruCache } from './ttl-lru-cache';

/** Documents remembered as fresh (per instance); beyond it the least recently used is refetched. */
const CACHE_MAX_ENTRIES = 1000;
/** A failed resolution is remembered briefly, so one bad client_id cannot make every request a fetch. */
const FAILURE_CACHE_MS = 10_000;

export type DocumentFetcher = (url: URL) => Promise<FetchedDocument>;

/**
 * Resolves URL-shaped client_ids through their Client ID Metadata Document (MCP 2025-11-25
 * "Client ID Metadata Documents"). The database row (source 'cimd') stays the source of truth, so
 * codes and tokens can reference it and an administrator can disable it; the in-memory cache only
 * says whether the row is fresh enough to use without fetching the document again.
 */
@Injectable()
export class CimdResolver {
  private readonly logger = new Logger(CimdResolver.name);
  private readonly fresh = new TtlLruCache<true>(CACHE_MAX_ENTRIES);
  private readonly failures = new TtlLruCache<string>(CACHE_MAX_ENTRIES);
  private readonly inFlight = new Map<string, Promise<OAuthClient>>();
  private fetcher: DocumentFetcher;

  constructor(
    private readonly clients: ClientsRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly clientPolicy: ClientPolicy,
  ) {
    this.fetcher = (url) =>
      fetchMetadataDocument(url, {
        timeoutMs: config.cimd.fetchTimeoutMs,
        allowLoopback: config.cimd.allowLoopback,
      });
  }

  /** Is this client_id one this resolver answers for? */
  handles(clientId: string): boolean {
    return this.config.cimd.enabled && looksLikeCimdUrl(clientId, this.config.cimd);
  }

  /**
   * The client for a CIMD client_id, fetching its document when the cached copy is stale.
   * @throws OAuthError invalid_client when the document cannot be fetched or is not acceptable.
   */
  async resolve(clientId: string): Promise<OAuthClient> {
    const stored = await this.clients.findByClientId(clientId);
    // An administrator may have registered this URL as an ordinary client: that row wins.
    if (stored && stored.source !== 'cimd') return stored;
    const now = this.clock.now().getTime();
    if (stored && this.fresh.get(clientId, now)) return stored;
    const failed = this.failures.get(clientId, now);
    if (failed) throw cimdInvalidClient(failed);

    let pending = this.inFlight.get(clientId);
    if (!pending) {
      pending = this.refresh(clientId, stored === null).finally(() =>
        this.inFlight.delete(clientId),
      );
      this.inFlight.set(clientId, pending);
    }
    return pending;
  }

  /** Replaces the document fetcher (tests). */
  useFetcher(fetcher: DocumentFetcher): void {
    this.fetcher = fetcher;
  }

  private async refresh(clientId: string, firstSeen: boolean): Promise<OAuthClient> {
    let fetched: FetchedDocument;
    let metadata: ReturnType<typeof validateCimdDocument>;
    try {
      const url = parseCimdUrl(clientId, this.config.cimd);
      fetched = await this.fetcher(url).catch((err: unknown) => {
        throw err instanceof CimdError ? new CimdError(CIMD_FETCH_FAILED, err.reason) : err;
      });
      metadata = validateCimdDocument(fetched.body, clientId, {
        ...this.clientPolicy.rules,
        allowedScopes: this.config.registration.allowedScopes,
      } satisfies ClientMetadataPolicy);
    } catch (err) {
      if (!(err instanceof CimdError)) throw err;
      this.logger.warn({
        msg: 'client metadata document rejected',
        clientId,
        reason: err.detail ?? err.reason,
      });
      this.failures.set(clientId, err.reason, this.clock.now().getTime() + FAILURE_CACHE_MS);
      throw cimdInvalidClient(err.reason);
    }
    await this.clients.upsertCimd(clientId, metadata);
    const row = await this.clients.findByClientId(clientId);
    if (!row) throw cimdInvalidClient('client could not be stored');
    if (row.source === 'cimd') {
      if (firstSeen) {
        this.audit.record({
          type: 'client.registered',
          outcome: 'success',
          clientId,
          details: { source: 'cimd', client_name: row.clientName, redirect_uris: row.redirectUris },
        });
      }
      const lifetimeMs = cacheLifetimeSeconds(fetched.cacheControl) * 1000;
      this.fresh.set(clientId, true, this.clock.now().getTime() + lifetimeMs);
    }
    return row;
  }
}
