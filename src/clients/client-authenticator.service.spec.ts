import { SystemClock } from 'src/common/clock';
import { PasswordHasher } from 'src/common/password-hasher';
import { AppConfig } from 'src/config/app-config';
import { RateLimited } from 'src/oauth/errors/oauth-errors';
import { OAuthError } from 'src/oauth/errors/oauth.error';
import type { FailureKey, GuessingLimits } from 'src/rate-limit/guessing-limits';
import { ClientAuthenticator, ClientCaller } from './client-authenticator.service';
import { hashChosenSecret } from './client-secret';
import { ClientUsageTracker } from './client-usage-tracker';
import { ClientsService } from './clients.service';
import { OAuthClient } from './oauth-client.entity';

/** Counts bcrypt compares; each takes a little while, so concurrent callers overlap. */
class CountingHasher extends PasswordHasher {
  compares = 0;
  constructor() {
    super(4);
  }
  override async verify(plain: string, hash: string): Promise<boolean> {
    this.compares++;
    await new Promise((r) => setTimeout(r, 20));
    return super.verify(plain, hash);
  }
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** Records what the authenticator tells the guessing limits; `counted` is what check() reports. */
class RecordingLimits {
  counted: FailureKey[] = [];
  checked: FailureKey[][] = [];
  failures: { keys: FailureKey[]; clientId: string | null | undefined }[] = [];
  cleared: FailureKey[][] = [];
  async check(keys: FailureKey[]) {
    this.checked.push(keys);
    return this.counted;
  }
  async failed(keys: FailureKey[], attempt: { clientId?: string | null }) {
    this.failures.push({ keys, clientId: attempt.clientId });
  }
  async succeeded(keys: FailureKey[]) {
    this.cleared.push(keys);
  }
}

const caller: ClientCaller = { ip: '198.51.100.7', address: '198.51.100.7', userAgent: 'spec' };

describe(ClientAuthenticator.name, () => {
  let hasher: CountingHasher;
  let limits: RecordingLimits;
  let authenticator: ClientAuthenticator;

  beforeEach(async () => {
    hasher = new CountingHasher();
    limits = new RecordingLimits();
    const client = {
      clientId: 'chosen',
      clientSecretHash: await hashChosenSecret('right-secret', new PasswordHasher(4)),
      tokenEndpointAuthMethod: 'client_secret_basic',
      source: 'admin',
      disabled: false,
      clientSecretExpiresAt: null,
    } as unknown as OAuthClient;
    const clients = { findByClientId: async (id: string) => (id === 'chosen' ? client : null) };
    authenticator = new ClientAuthenticator(
      clients as unknown as ClientsService,
      hasher,
      { issuer: 'http://127.0.0.1:8000' } as AppConfig,
      new SystemClock(),
      { touch: async () => undefined } as unknown as ClientUsageTracker,
      limits as unknown as GuessingLimits,
    );
  });

  it('should share one bcrypt compare between concurrent requests presenting the same secret', async () => {
    const results = await Promise.all(
      Array.from({ length: 16 }, () => authenticator.authenticate(basic('chosen', 'right-secret'), {}, caller)),
    );
    expect(results.map((r) => r.client.clientId)).toEqual(Array(16).fill('chosen'));
    expect(hasher.compares).toBe(1);
    // Remembered afterwards: no compare at all.
    await authenticator.authenticate(basic('chosen', 'right-secret'), {}, caller);
    expect(hasher.compares).toBe(1);
  });

  it('should refuse every concurrent wrong secret with invalid_client after one shared compare, and not remember it', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, () => authenticator.authenticate(basic('chosen', 'wrong-secret'), {}, caller)),
    );
    expect(outcomes.every((o) => o.status === 'rejected' && (o.reason as OAuthError).code === 'invalid_client')).toBe(true);
    expect(hasher.compares).toBe(1);
    await expect(authenticator.authenticate(basic('chosen', 'wrong-secret'), {}, caller)).rejects.toMatchObject({ code: 'invalid_client' });
    expect(hasher.compares).toBe(2);
  });

  it('should not let a wrong secret ride on a right one in flight', async () => {
    const [right, wrong] = await Promise.allSettled([
      authenticator.authenticate(basic('chosen', 'right-secret'), {}, caller),
      authenticator.authenticate(basic('chosen', 'wrong-secret'), {}, caller),
    ]);
    expect(right.status).toBe('fulfilled');
    expect(wrong.status).toBe('rejected');
    expect(hasher.compares).toBe(2);
  });

  it('should count a wrong secret against the claimed client and the address, and a right one clears only the client', async () => {
    await expect(authenticator.authenticate(basic('chosen', 'wrong-secret'), {}, caller)).rejects.toMatchObject({ code: 'invalid_client' });
    expect(limits.failures).toEqual([
      {
        keys: [
          { limit: 'client_auth.ip', tracker: '198.51.100.7' },
          { limit: 'client_auth.client', tracker: 'chosen' },
        ],
        clientId: 'chosen',
      },
    ]);
    limits.counted = [
      { limit: 'client_auth.ip', tracker: '198.51.100.7' },
      { limit: 'client_auth.client', tracker: 'chosen' },
    ];
    await authenticator.authenticate(basic('chosen', 'right-secret'), {}, caller);
    expect(limits.cleared).toEqual([[{ limit: 'client_auth.client', tracker: 'chosen' }]]);
    expect(limits.failures).toHaveLength(1);
  });

  it('should write nothing to the limits for a success with no failures counted', async () => {
    await authenticator.authenticate(basic('chosen', 'right-secret'), {}, caller);
    expect(limits.checked).toHaveLength(1);
    expect(limits.failures).toEqual([]);
    expect(limits.cleared).toEqual([]);
  });

  it('should count unreadable credentials against the address only, and not count a malformed request', async () => {
    await expect(authenticator.authenticate('Basic !!!', {}, caller)).rejects.toMatchObject({ code: 'invalid_client' });
    expect(limits.failures).toEqual([{ keys: [{ limit: 'client_auth.ip', tracker: '198.51.100.7' }], clientId: null }]);
    await expect(
      authenticator.authenticate(basic('chosen', 'right-secret'), { client_secret: 'x' }, caller),
    ).rejects.toMatchObject({ code: 'invalid_request' });
    expect(limits.failures).toHaveLength(1);
  });

  it('should refuse before checking anything when the limits say the cap is reached', async () => {
    limits.check = async () => {
      throw RateLimited('too many failed attempts', 30);
    };
    await expect(authenticator.authenticate(basic('chosen', 'right-secret'), {}, caller)).rejects.toMatchObject({ code: 'rate_limited' });
    expect(hasher.compares).toBe(0);
  });
});
