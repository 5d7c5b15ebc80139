import { Injectable } from '@nestjs/common';
import { BoundedCache } from 'src/common/bounded-cache';
import { Clock } from 'src/common/clock';
import { sha256Hex } from 'src/common/hashing';
import { PasswordHasher } from 'src/common/password-hasher';
import { AppConfig } from 'src/config/app-config';
import { InvalidClient, InvalidRequest } from 'src/oauth/errors/oauth-errors';
import { OAuthError } from 'src/oauth/errors/oauth.error';
import { RawParams } from 'src/oauth/request-params';
import { FailureKey, GuessingLimits } from 'src/rate-limit/guessing-limits';
import { ipOf, TrackedRequest } from 'src/rate-limit/rate-limit-trackers';
import { verifyClientSecret } from './client-secret';
import { ClientUsageTracker } from './client-usage-tracker';
import { ClientsService } from './clients.service';
import { OAuthClient, TokenEndpointAuthMethod } from './oauth-client.entity';

export interface AuthenticatedClient {
  client: OAuthClient;
  method: TokenEndpointAuthMethod;
}

/** Who is calling, for the guessing limits: the address as the rate limits count it, and the user agent. */
export interface ClientCaller {
  /** The address bucket (rate-limit-trackers ipOf: IPv6 per /64). */
  ip: string;
  /** The address as express reports it, for the audit record of a limit reached. */
  address: string | null;
  userAgent: string | null;
}

/** The caller of an express request (the controllers of the three client-authenticating endpoints). */
export function callerOf(req: TrackedRequest): ClientCaller {
  const userAgent = req.headers['user-agent'];
  return { ip: ipOf(req), address: req.ip ?? null, userAgent: typeof userAgent === 'string' ? userAgent : null };
}

interface PresentedCredentials {
  clientId: string;
  secret?: string;
  method: TokenEndpointAuthMethod;
}

const VERIFIED_CACHE_TTL_MS = 5 * 60_000;
const VERIFIED_CACHE_MAX = 2000;

/**
 * Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3):
 * client_secret_basic, client_secret_post, or none for public clients. Every failure is
 * `invalid_client` (401, with a Basic challenge when the header was used) — never `invalid_grant`,
 * because MCP clients re-register only on invalid_client (docs/mcp.md §1 item 19).
 */
@Injectable()
export class ClientAuthenticator {
  /** Successful bcrypt verifications, so a human-chosen secret costs one bcrypt per 5 minutes. */
  private readonly verified = new BoundedCache<string, string>(VERIFIED_CACHE_MAX);
  /**
   * Verifications under way, by (client, secret, stored hash): concurrent requests presenting the
   * same secret share one bcrypt compare instead of queueing one each behind the hashing budget
   * (a cold cache under 16 concurrent requests used to spend 16 compares and refuse some with 503).
   * Entries leave when their compare ends, so the map holds at most what is in flight.
   */
  private readonly inFlight = new Map<string, Promise<boolean>>();

  constructor(
    private readonly clients: ClientsService,
    private readonly hasher: PasswordHasher,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly usage: ClientUsageTracker,
    private readonly limits: GuessingLimits,
  ) {}

  /**
   * Authenticates the client under the guessing limits (docs/security.md §12): a client_id or
   * address at its cap of failed authentications gets 429 before anything is checked; every
   * `invalid_client` counts one failure for the claimed client_id and for the address; a success
   * forgets the client's count (no write when there was none). Like the login's, in the code that
   * knows the outcome, so no interceptor runs on these endpoints.
   */
  async authenticate(
    authorization: string | undefined,
    body: RawParams,
    caller: ClientCaller,
  ): Promise<AuthenticatedClient> {
    let presented: PresentedCredentials | undefined;
    let unreadable: unknown;
    try {
      presented = this.presented(authorization, body);
    } catch (err) {
      unreadable = err;
    }
    // Credentials that cannot be read name no client: they count against the address only.
    const keys: FailureKey[] = [{ limit: 'client_auth.ip', tracker: caller.ip }];
    if (presented) keys.push({ limit: 'client_auth.client', tracker: presented.clientId });
    const counted = await this.limits.check(keys);
    let authenticated: AuthenticatedClient;
    try {
      if (!presented) throw unreadable;
      authenticated = await this.verify(presented);
    } catch (err) {
      if (err instanceof OAuthError && err.code === 'invalid_client') {
        const attempt = { ip: caller.address, userAgent: caller.userAgent, clientId: presented?.clientId ?? null };
        await this.limits.failed(keys, attempt);
      }
      throw err;
    }
    const clientCounted = counted.filter((k) => k.limit === 'client_auth.client');
    if (clientCounted.length) await this.limits.succeeded(clientCounted);
    // Off the request path: the tracker writes at most once a minute per client and never throws.
    void this.usage.touch(authenticated.client.clientId);
    return authenticated;
  }

  private async verify(presented: PresentedCredentials): Promise<AuthenticatedClient> {
    const viaHeader = presented.method === 'client_secret_basic';
    const fail = (description = 'client authentication failed') =>
      InvalidClient(description, viaHeader ? this.config.issuer : undefined);

    const client = await this.findClient(presented.clientId, fail);
    if (!client || client.disabled) throw fail();
    const isPublic = client.tokenEndpointAuthMethod === 'none' || !client.clientSecretHash;
    if (isPublic) {
      if (presented.method !== 'none') throw fail('public clients authenticate with none');
      return { client, method: 'none' };
    }
    if (presented.method === 'none') throw fail('client authentication required');
    // Clients that chose a method at registration are held to it (RFC 7591 §2); administered
    // clients may use either secret method, which are equally strong.
    if (client.source !== 'admin' && presented.method !== client.tokenEndpointAuthMethod) {
      throw fail(`client must authenticate with ${client.tokenEndpointAuthMethod}`);
    }
    if (client.clientSecretExpiresAt && client.clientSecretExpiresAt <= this.clock.now())
      throw fail('client secret expired');
    if (!(await this.verifySecret(client, presented.secret!))) throw fail();
    return { client, method: presented.method };
  }

  /** Stored or CIMD client; a metadata document that cannot be used is invalid_client here too. */
  private async findClient(
    clientId: string,
    fail: (d?: string) => OAuthError,
  ): Promise<OAuthClient | null> {
    try {
      return await this.clients.findByClientId(clientId);
    } catch (err) {
      if (err instanceof OAuthError && err.code === 'invalid_client') throw fail(err.description);
      throw err;
    }
  }

  private presented(authorization: string | undefined, body: RawParams): PresentedCredentials {
    const bodyId = body.client_id;
    const bodySecret = body.client_secret;
    if (Array.isArray(bodyId) || Array.isArray(bodySecret))
      throw InvalidRequest('client credentials must be given once');
    if (authorization !== undefined && /^basic /i.test(authorization)) {
      if (bodySecret !== undefined)
        throw InvalidRequest('use only one client authentication method');
      const { clientId, secret } = parseBasic(authorization.slice(6).trim(), this.config.issuer);
      if (typeof bodyId === 'string' && bodyId !== clientId)
        throw InvalidRequest('client_id does not match');
      return { clientId, secret, method: 'client_secret_basic' };
    }
    if (typeof bodyId !== 'string' || bodyId === '')
      throw InvalidClient('client authentication required');
    if (typeof bodySecret === 'string' && bodySecret !== '') {
      return { clientId: bodyId, secret: bodySecret, method: 'client_secret_post' };
    }
    return { clientId: bodyId, method: 'none' };
  }

  private async verifySecret(client: OAuthClient, secret: string): Promise<boolean> {
    const stored = client.clientSecretHash!;
    if (!stored.startsWith('bcrypt:')) return verifyClientSecret(secret, stored, this.hasher);
    const key = `${client.clientId}\0${sha256Hex(secret)}`;
    const now = Date.now();
    // The value is the stored hash the secret was verified against: a rotated secret misses.
    if (this.verified.get(key, now) === stored) return true;
    const flightKey = `${key}\0${stored}`;
    let pending = this.inFlight.get(flightKey);
    if (!pending) {
      pending = verifyClientSecret(secret, stored, this.hasher)
        .then((ok) => {
          if (ok) this.verified.set(key, stored, Date.now() + VERIFIED_CACHE_TTL_MS);
          return ok;
        })
        .finally(() => this.inFlight.delete(flightKey));
      this.inFlight.set(flightKey, pending);
    }
    return pending;
  }
}

/** RFC 6749 §2.3.1: the id and secret are form-urlencoded before Basic encoding. */
function parseBasic(encoded: string, realm: string): { clientId: string; secret: string } {
  const fail = () => InvalidClient('malformed basic credentials', realm);
  if (!/^[A-Za-z0-9+/]+=*$/.test(encoded)) throw fail();
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  if (sep <= 0) throw fail();
  let credentials: { clientId: string; secret: string };
  try {
    const unform = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    credentials = {
      clientId: unform(decoded.slice(0, sep)),
      secret: unform(decoded.slice(sep + 1)),
    };
  } catch {
    throw fail();
  }
  // PostgreSQL text cannot hold NUL: such an id can match no client, and must not reach a query.
  if (credentials.clientId.includes('\0')) throw fail();
  return credentials;
}
