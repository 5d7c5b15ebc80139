import { Injectable } from '@nestjs/common';
import { Clock } from 'src/common/clock';
import { constantTimeEqual, sha256Hex } from 'src/common/hashing';
import { PasswordHasher } from 'src/common/password-hasher';
import { RandomSource } from 'src/common/random';
import { AppConfig } from 'src/config/app-config';
import { InvalidClientMetadata } from 'src/oauth/errors/oauth-errors';
import { OAuthError } from 'src/oauth/errors/oauth.error';
import { TOKEN_PREFIX } from 'src/oauth/oauth.constants';
import { hashGeneratedSecret, verifyClientSecret } from '../client-secret';
import { OAuthClient } from '../oauth-client.entity';
import { ClientInformation, toClientInformation } from './client-information';
import {
  ClientMetadataPolicy,
  requireObject,
  validateRegistrationMetadata,
  ValidatedClientMetadata,
} from './client-metadata';
import { ClientsRepository } from '../clients.repository';
import { ClientPolicy } from '../policy/client-policy';
import { ClientDeletion } from '../client-deletion.service';
import {
  bearerToken,
  invalidRegistrationToken,
  tokenMatchesHash,
} from './registration-credentials';

/** `mcp_` + 128 random bits: server-chosen, so it can never equal a user's sub (a UUID). */
export const DCR_CLIENT_ID_PREFIX = 'mcp_';
const CLIENT_ID_BYTES = 16;
const SECRET_BYTES = 32;

/**
 * Dynamic client registration (RFC 7591) and its management API (RFC 7592). Registration is open,
 * gated by an initial access token, or off (REGISTRATION_MODE); management needs the client's
 * registration access token. Every client registers anew: two identical requests make two
 * clients (Claude registers on every connection, MCP.md §5.3).
 */
@Injectable()
export class RegistrationService {
  private readonly policy: ClientMetadataPolicy;

  constructor(
    private readonly clients: ClientsRepository,
    private readonly config: AppConfig,
    private readonly random: RandomSource,
    private readonly clock: Clock,
    private readonly hasher: PasswordHasher,
    clientPolicy: ClientPolicy,
    private readonly deletion: ClientDeletion,
  ) {
    this.policy = { ...clientPolicy.rules, allowedScopes: config.registration.allowedScopes };
  }

  /** POST /oauth/register. */
  async register(authorization: string | undefined, body: unknown): Promise<ClientInformation> {
    this.checkRegistrationAllowed(authorization);
    const metadata = validateRegistrationMetadata(body, this.policy);
    const confidential = metadata.tokenEndpointAuthMethod !== 'none';
    const clientSecret = confidential
      ? `${TOKEN_PREFIX.clientSecret}${this.random.token(SECRET_BYTES)}`
      : undefined;
    const registrationAccessToken = `${TOKEN_PREFIX.registrationAccessToken}${this.random.token(SECRET_BYTES)}`;
    const ttl = this.config.registration.clientSecretTtl;
    const client = await this.clients.insert({
      ...metadata,
      clientId: `${DCR_CLIENT_ID_PREFIX}${this.random.token(CLIENT_ID_BYTES)}`,
      source: 'dcr',
      clientSecretHash: clientSecret ? hashGeneratedSecret(clientSecret) : null,
      clientSecretExpiresAt: clientSecret && ttl > 0 ? this.clock.in(ttl) : null,
      registrationAccessTokenHash: sha256Hex(registrationAccessToken),
    });
    return toClientInformation(client, this.config.issuer, {
      registrationAccessToken,
      clientSecret,
    });
  }

  /** GET /oauth/register/:client_id (RFC 7592 §2.1). */
  async read(clientId: string, authorization: string | undefined): Promise<ClientInformation> {
    const { client, token } = await this.authorizeManagement(clientId, authorization);
    return toClientInformation(client, this.config.issuer, { registrationAccessToken: token });
  }

  /**
   * PUT /oauth/register/:client_id (RFC 7592 §2.2): the body replaces the metadata, validated like a
   * registration. The secret and the registration access token stay as they are; a client cannot
   * switch between public and confidential (it would need a secret issued, or orphan one).
   */
  async update(
    clientId: string,
    authorization: string | undefined,
    body: unknown,
  ): Promise<ClientInformation> {
    const { client, token } = await this.authorizeManagement(clientId, authorization);
    const raw = requireObject(body);
    if (raw.client_id === undefined) throw InvalidClientMetadata('client_id is required');
    if (raw.client_id !== client.clientId) throw InvalidClientMetadata('client_id does not match');
    if (raw.client_secret !== undefined) await this.checkPresentedSecret(client, raw.client_secret);
    const metadata = validateRegistrationMetadata(raw, this.policy);
    if (
      (metadata.tokenEndpointAuthMethod === 'none') !==
      (client.tokenEndpointAuthMethod === 'none')
    ) {
      throw InvalidClientMetadata(
        'token_endpoint_auth_method cannot change between public and confidential',
      );
    }
    const updated = await this.clients.update(client.clientId, toStored(metadata), 'dcr');
    if (!updated) throw invalidRegistrationToken('invalid registration access token');
    return toClientInformation(updated, this.config.issuer, { registrationAccessToken: token });
  }

  /**
   * DELETE /oauth/register/:client_id (RFC 7592 §2.3): the client and all it was issued, through
   * the same path as an administrator's delete (tokens revoked and broadcast first).
   */
  async remove(clientId: string, authorization: string | undefined): Promise<void> {
    const { client } = await this.authorizeManagement(clientId, authorization);
    await this.deletion.delete(client.clientId, 'dcr');
  }

  private checkRegistrationAllowed(authorization: string | undefined): void {
    const { mode, initialAccessToken } = this.config.registration;
    if (mode === 'off')
      throw new OAuthError('access_denied', 'client registration is disabled', 403);
    if (mode === 'open') return;
    const presented = bearerToken(authorization);
    const ok = constantTimeEqual(sha256Hex(presented ?? ''), sha256Hex(initialAccessToken ?? ''));
    if (!presented || !ok)
      throw invalidRegistrationToken('a valid initial access token is required');
  }

  private async authorizeManagement(
    clientId: string,
    authorization: string | undefined,
  ): Promise<{ client: OAuthClient; token: string }> {
    const token = bearerToken(authorization);
    const client = token ? await this.clients.findByClientId(clientId) : null;
    const stored = client?.source === 'dcr' ? client.registrationAccessTokenHash : null;
    if (!tokenMatchesHash(token, stored) || !client) {
      throw invalidRegistrationToken('invalid registration access token');
    }
    return { client, token: token! };
  }

  private async checkPresentedSecret(client: OAuthClient, presented: unknown): Promise<void> {
    const ok =
      typeof presented === 'string' &&
      client.clientSecretHash !== null &&
      (await verifyClientSecret(presented, client.clientSecretHash, this.hasher));
    if (!ok) throw InvalidClientMetadata('client_secret does not match');
  }
}

function toStored(m: ValidatedClientMetadata) {
  return {
    clientName: m.clientName,
    redirectUris: m.redirectUris,
    grantTypes: m.grantTypes,
    responseTypes: m.responseTypes,
    scope: m.scope,
    tokenEndpointAuthMethod: m.tokenEndpointAuthMethod,
    applicationType: m.applicationType,
    metadata: m.metadata,
  };
}
