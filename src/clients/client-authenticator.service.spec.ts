import { SystemClock } from 'src/common/clock';
import { PasswordHasher } from 'src/common/password-hasher';
import { AppConfig } from 'src/config/app-config';
import { OAuthError } from 'src/oauth/errors/oauth.error';
import { ClientAuthenticator } from './client-authenticator.service';
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

describe(ClientAuthenticator.name, () => {
  let hasher: CountingHasher;
  let authenticator: ClientAuthenticator;

  beforeEach(async () => {
    hasher = new CountingHasher();
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
    );
  });

  it('should share one bcrypt compare between concurrent requests presenting the same secret', async () => {
    const results = await Promise.all(
      Array.from({ length: 16 }, () => authenticator.authenticate(basic('chosen', 'right-secret'), {})),
    );
    expect(results.map((r) => r.client.clientId)).toEqual(Array(16).fill('chosen'));
    expect(hasher.compares).toBe(1);
    // Remembered afterwards: no compare at all.
    await authenticator.authenticate(basic('chosen', 'right-secret'), {});
    expect(hasher.compares).toBe(1);
  });

  it('should refuse every concurrent wrong secret with invalid_client after one shared compare, and not remember it', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, () => authenticator.authenticate(basic('chosen', 'wrong-secret'), {})),
    );
    expect(outcomes.every((o) => o.status === 'rejected' && (o.reason as OAuthError).code === 'invalid_client')).toBe(true);
    expect(hasher.compares).toBe(1);
    await expect(authenticator.authenticate(basic('chosen', 'wrong-secret'), {})).rejects.toMatchObject({ code: 'invalid_client' });
    expect(hasher.compares).toBe(2);
  });

  it('should not let a wrong secret ride on a right one in flight', async () => {
    const [right, wrong] = await Promise.allSettled([
      authenticator.authenticate(basic('chosen', 'right-secret'), {}),
      authenticator.authenticate(basic('chosen', 'wrong-secret'), {}),
    ]);
    expect(right.status).toBe('fulfilled');
    expect(wrong.status).toBe('rejected');
    expect(hasher.compares).toBe(2);
  });
});
