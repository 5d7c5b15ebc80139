import { Injectable } from '@nestjs/common';
import { Clock } from 'src/common/clock';
import { PasswordHasher } from 'src/common/password-hasher';
import { RandomSource } from 'src/common/random';
import { InvalidRequest } from 'src/oauth/errors/oauth-errors';
import { GrantType } from 'src/oauth/oauth.constants';
import {
  CLIENT_SECRET_PREFIX,
  hashChosenSecret,
  hashGeneratedSecret,
  verifyClientSecret,
} from './client-secret';
import {
  ClientChanges,
  ClientListFilters,
  ClientsRepository,
  NewClient,
} from './clients.repository';
import { ClientDeletion } from './client-deletion.service';
import { OAuthClient, TokenEndpointAuthMethod } from './oauth-client.entity';
import { ClientPolicy } from './policy/client-policy';

/** What an administrator registers (camelCase; the admin controller maps the wire names). */
export interface NewAdminClient {
  clientName: string;
  redirectUris: string[];
  grantTypes: GrantType[];
  scope: string[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  applicationType?: 'web' | 'native';
  /** A human-chosen secret (stored with bcrypt); absent = the server generates one. */
  clientSecret?: string;
  clientSecretExpiresAt?: Date | null;
}

export type AdminClientChanges = Partial<
  Pick<OAuthClient, 'clientName' | 'redirectUris' | 'scope' | 'applicationType' | 'disabled'> & {
    grantTypes: GrantType[];
  }
>;

export interface ClientWithSecret {
  client: OAuthClient;
  /** The generated secret, shown exactly once; null for public clients and chosen secrets. */
  clientSecret: string | null;
}

export type BootstrapOutcome = 'created' | 'updated' | 'unchanged';

/**
 * Server-generated client_ids: `mcp_` + 128 random bits (base64url), like registered clients', so an
 * id never starts with `-` and never looks like a user's sub (a UUID).
 */
const CLIENT_ID_PREFIX = 'mcp_';
const CLIENT_ID_BYTES = 16;
/** docs/architecture.md §4: generated secrets carry 256 bits, so SHA-256 storage suffices. */
const CLIENT_SECRET_BYTES = 32;
const ADMIN_SCOPE = 'admin';

/**
 * Client management for administrators (issue 5): registration with a generated or chosen secret,
 * listing, updates, secret rotation, enabling and deleting. Every create and change passes the
 * client policy (`ClientPolicy`, docs/security.md §11.1), so the admin API, the CLI and
 * the start-up administrator client obey the same rules as dynamic registration.
 */
@Injectable()
export class ClientManagementService {
  constructor(
    private readonly clients: ClientsRepository,
    private readonly hasher: PasswordHasher,
    private readonly random: RandomSource,
    private readonly clock: Clock,
    private readonly policy: ClientPolicy,
    private readonly deletion: ClientDeletion,
  ) {}

  async create(input: NewAdminClient): Promise<ClientWithSecret> {
    const isPublic = input.tokenEndpointAuthMethod === 'none';
    if (isPublic && input.clientSecret !== undefined) {
      throw InvalidRequest('client_secret is not allowed when token_endpoint_auth_method is none');
    }
    if (isPublic && input.clientSecretExpiresAt) {
      throw InvalidRequest(
        'client_secret_expires_at is not allowed when token_endpoint_auth_method is none',
      );
    }
    this.checkExpiry(input.clientSecretExpiresAt);
    const fields = {
      clientName: input.clientName.trim(),
      redirectUris: [...new Set(input.redirectUris)],
      grantTypes: [...new Set(input.grantTypes)],
      scope: [...new Set(input.scope)],
      tokenEndpointAuthMethod: input.tokenEndpointAuthMethod,
    };
    const { applicationType } = this.policy.checkForAdmin({
      ...fields,
      applicationType: input.applicationType,
    });
    const secret = isPublic ? null : await this.newSecret(input.clientSecret);
    const client = await this.clients.insert({
      ...fields,
      clientId: `${CLIENT_ID_PREFIX}${this.random.token(CLIENT_ID_BYTES)}`,
      responseTypes: responseTypesFor(input.grantTypes),
      applicationType,
      source: 'admin',
      clientSecretHash: secret?.hash ?? null,
      clientSecretExpiresAt: isPublic ? null : (input.clientSecretExpiresAt ?? null),
    });
    return { client, clientSecret: secret?.shown ?? null };
  }

  findById(clientId: string): Promise<OAuthClient | null> {
    return this.clients.findByClientId(clientId);
  }

  list(filters: ClientListFilters): Promise<{ items: OAuthClient[]; total: number }> {
    return this.clients.list(filters);
  }

  /** Applies the changes if the result is consistent; null when the client does not exist. */
  async update(clientId: string, changes: AdminClientChanges): Promise<OAuthClient | null> {
    const current = await this.clients.findByClientId(clientId);
    if (!current) return null;
    // Only the fields given: undefined means "unchanged".
    const given = Object.fromEntries(
      Object.entries(changes).filter(([, v]) => v !== undefined),
    ) as AdminClientChanges;
    if (given.clientName !== undefined) given.clientName = given.clientName.trim();
    if (given.redirectUris) given.redirectUris = [...new Set(given.redirectUris)];
    if (given.grantTypes) given.grantTypes = [...new Set(given.grantTypes)];
    if (given.scope) given.scope = [...new Set(given.scope)];
    this.policy.checkForAdmin({ ...current, ...given });
    const update: ClientChanges = { ...given };
    // response_types follow the grant types (RFC 7591 §2.1).
    if (given.grantTypes) update.responseTypes = responseTypesFor(given.grantTypes);
    return this.clients.update(clientId, update);
  }

  /** Replaces a confidential client's secret; the old one stops working at once. */
  async rotateSecret(
    clientId: string,
    options: { clientSecret?: string; clientSecretExpiresAt?: Date | null } = {},
  ): Promise<ClientWithSecret | null> {
    const current = await this.clients.findByClientId(clientId);
    if (!current) return null;
    if (current.tokenEndpointAuthMethod === 'none') {
      throw InvalidRequest('client is public (token_endpoint_auth_method none) and has no secret');
    }
    this.checkExpiry(options.clientSecretExpiresAt);
    const secret = await this.newSecret(options.clientSecret);
    const client = await this.clients.update(clientId, {
      clientSecretHash: secret.hash,
      clientSecretExpiresAt: options.clientSecretExpiresAt ?? null,
    });
    return client && { client, clientSecret: secret.shown };
  }

  setDisabled(clientId: string, disabled: boolean): Promise<OAuthClient | null> {
    return this.clients.update(clientId, { disabled });
  }

  /** Revokes what the client holds on every instance, then deletes it (one delete path). */
  delete(clientId: string): Promise<boolean> {
    return this.deletion.delete(clientId);
  }

  /**
   * Makes sure the configured administrator client exists: confidential, client_credentials,
   * scope admin, with exactly this (human-chosen, so bcrypt) secret. Safe to run on every start
   * and on several instances at once (insert-if-absent).
   */
  async ensureAdminClient(
    clientId: string,
    secret: string,
    clientName = 'Administrator',
  ): Promise<BootstrapOutcome> {
    let current = await this.clients.findByClientId(clientId);
    if (!current) {
      const fields = {
        clientName,
        redirectUris: [],
        grantTypes: ['client_credentials'],
        scope: [ADMIN_SCOPE],
        tokenEndpointAuthMethod: 'client_secret_basic' as const,
        applicationType: 'web' as const,
      };
      this.policy.checkForAdmin(fields);
      const created = await this.clients.createIfAbsent({
        ...fields,
        clientId,
        responseTypes: [],
        source: 'admin',
        clientSecretHash: await hashChosenSecret(secret, this.hasher),
      });
      if (created) return 'created';
      current = (await this.clients.findByClientId(clientId))!;
    }
    const changes: ClientChanges = {};
    const secretMatches =
      current.clientSecretHash !== null &&
      (await verifyClientSecret(secret, current.clientSecretHash, this.hasher));
    if (!secretMatches || current.clientSecretExpiresAt) {
      changes.clientSecretHash = await hashChosenSecret(secret, this.hasher);
      changes.clientSecretExpiresAt = null;
    }
    if (!current.grantTypes.includes('client_credentials')) {
      changes.grantTypes = [...current.grantTypes, 'client_credentials'];
    }
    if (!current.scope.includes(ADMIN_SCOPE)) changes.scope = [...current.scope, ADMIN_SCOPE];
    if (current.tokenEndpointAuthMethod === 'none')
      changes.tokenEndpointAuthMethod = 'client_secret_basic';
    if (Object.keys(changes).length === 0) return 'unchanged';
    await this.clients.update(clientId, changes);
    return 'updated';
  }

  private async newSecret(
    chosen: string | undefined,
  ): Promise<{ hash: string; shown: string | null }> {
    if (chosen !== undefined)
      return { hash: await hashChosenSecret(chosen, this.hasher), shown: null };
    const generated = `${CLIENT_SECRET_PREFIX}${this.random.token(CLIENT_SECRET_BYTES)}`;
    return { hash: hashGeneratedSecret(generated), shown: generated };
  }

  private checkExpiry(expiresAt: Date | null | undefined): void {
    if (expiresAt && expiresAt.getTime() <= this.clock.now().getTime()) {
      throw InvalidRequest('client_secret_expires_at must be in the future');
    }
  }
}

function responseTypesFor(grantTypes: readonly string[]): string[] {
  return grantTypes.includes('authorization_code') ? ['code'] : [];
}
