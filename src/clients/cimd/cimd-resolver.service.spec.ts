import { Logger } from '@nestjs/common';
import { AuditService } from 'src/audit/audit.service';
import { Clock } from 'src/common/clock';
import { AppConfig } from 'src/config/app-config';
import { OAuthError } from 'src/oauth/errors/oauth.error';
import { OAuthClient } from '../oauth-client.entity';
import { ClientsRepository, RegisteredMetadata } from '../clients.repository';
import { ClientPolicy } from '../policy/client-policy';
import { CimdResolver } from './cimd-resolver.service';
import { CimdError } from './cimd-error';

class TestClock extends Clock {
  ms = Date.UTC(2030, 0, 1);
  now(): Date {
    return new Date(this.ms);
  }
}

class FakeClients {
  rows = new Map<string, OAuthClient>();
  async findByClientId(id: string): Promise<OAuthClient | null> {
    return this.rows.get(id) ?? null;
  }
  async upsertCimd(id: string, m: RegisteredMetadata): Promise<void> {
    const existing = this.rows.get(id);
    if (existing && existing.source !== 'cimd') return;
    this.rows.set(id, {
      ...(existing ?? {}),
      ...m,
      clientId: id,
      source: 'cimd',
      disabled: false,
    } as OAuthClient);
  }
}

const ID = 'https://app.example.com/client.json';
const config = {
  cimd: {
    enabled: true,
    allowLoopback: false,
    allowHttpLoopback: false,
    fetchTimeoutMs: 1000,
    allowedPorts: [443],
  },
  registration: {
    allowCustomSchemes: true,
    customSchemes: ['cursor'],
    allowedScopes: ['read', 'write'],
  },
} as unknown as AppConfig;
const document = (name = 'Example') => ({
  client_id: ID,
  client_name: name,
  redirect_uris: ['http://127.0.0.1/cb'],
});

describe(CimdResolver.name, () => {
  let clock: TestClock;
  let clients: FakeClients;
  let fetcher: jest.Mock;
  let record: jest.Mock;
  let sut: CimdResolver;

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    clock = new TestClock();
    clients = new FakeClients();
    fetcher = jest.fn().mockResolvedValue({ body: document(), cacheControl: 'max-age=120' });
    record = jest.fn();
    const audit = { record } as unknown as AuditService;
    sut = new CimdResolver(
      clients as unknown as ClientsRepository,
      config,
      clock,
      audit,
      new ClientPolicy(config),
    );
    sut.useFetcher(fetcher);
  });
  afterEach(() => jest.restoreAllMocks());

  it('should answer only for URL client_ids while enabled', () => {
    expect(sut.handles(ID)).toBe(true);
    expect(sut.handles('demo_client')).toBe(false);
  });

  it('should store the document as a public cimd client', async () => {
    const client = await sut.resolve(ID);
    expect(client).toMatchObject({
      clientId: ID,
      clientName: 'Example',
      source: 'cimd',
      tokenEndpointAuthMethod: 'none',
    });
    expect(fetcher).toHaveBeenCalledWith(new URL(ID));
    expect(record).toHaveBeenCalledWith(
      expect.objectContaining({
        type: 'client.registered',
        clientId: ID,
        details: expect.objectContaining({ source: 'cimd' }),
      }),
    );
  });

  it('should not fetch again while the document is fresh, and refetch once it is stale', async () => {
    await sut.resolve(ID);
    clock.ms += 119_000;
    await sut.resolve(ID);
    expect(fetcher).toHaveBeenCalledTimes(1);
    fetcher.mockResolvedValue({ body: document('Renamed') });
    clock.ms += 2_000;
    expect((await sut.resolve(ID)).clientName).toBe('Renamed');
    expect(fetcher).toHaveBeenCalledTimes(2);
    expect(record).toHaveBeenCalledTimes(1);
  });

  it('should share one fetch between concurrent requests', async () => {
    await Promise.all([sut.resolve(ID), sut.resolve(ID), sut.resolve(ID)]);
    expect(fetcher).toHaveBeenCalledTimes(1);
  });

  it('should fail with invalid_client and one generic reason for any fetch failure, and remember it briefly', async () => {
    fetcher.mockRejectedValue(new CimdError('fetch timed out'));
    const error = await sut.resolve(ID).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({
      code: 'invalid_client',
      description: 'client metadata document: could not be fetched',
    });
    await expect(sut.resolve(ID)).rejects.toMatchObject({ code: 'invalid_client' });
    expect(fetcher).toHaveBeenCalledTimes(1);
    fetcher.mockResolvedValue({ body: document() });
    clock.ms += 10_000;
    await expect(sut.resolve(ID)).resolves.toMatchObject({ clientId: ID });
  });

  it('should refuse a document whose client_id is not its URL', async () => {
    fetcher.mockResolvedValue({
      body: { ...document(), client_id: 'https://evil.example/client.json' },
    });
    await expect(sut.resolve(ID)).rejects.toMatchObject({
      description: 'client metadata document: client_id does not match the document url',
    });
  });

  it('should refuse a malformed client identifier URL without fetching', async () => {
    const bad = 'https://app.example.com/a/../client.json';
    await expect(sut.resolve(bad)).rejects.toMatchObject({
      description: 'client metadata document: client_id url must not contain dot segments',
    });
    expect(fetcher).not.toHaveBeenCalled();
  });

  it('should leave a client an administrator registered under the same URL alone', async () => {
    clients.rows.set(ID, { clientId: ID, clientName: 'Admin', source: 'admin' } as OAuthClient);
    expect((await sut.resolve(ID)).clientName).toBe('Admin');
    expect(fetcher).not.toHaveBeenCalled();
  });
});
