import { Logger } from '@nestjs/common';
import { AppConfig } from 'src/config/app-config';
import { KeyEncryption } from 'src/tokens/keys/key-encryption';
import { SigningKeysService } from 'src/tokens/keys/signing-keys.service';
import { FixedClock } from '../../test/fakes/fixed-clock';
import { InMemorySigningKeysRepository } from '../../test/fakes/in-memory-signing-keys.repository';
import { KeyRotationJob } from './key-rotation.job';

const HOUR = 3600;
const config = {
  appSecret: 'unit-test-secret-long-enough-0123456789',
  ttl: { accessToken: HOUR },
  maintenance: { keyRotationIntervalHours: 24 },
} as AppConfig;

describe(KeyRotationJob.name, () => {
  let repo: InMemorySigningKeysRepository;
  let clock: FixedClock;
  let keys: SigningKeysService;
  let sut: KeyRotationJob;

  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(true));

  beforeEach(() => {
    repo = new InMemorySigningKeysRepository();
    clock = new FixedClock();
    keys = new SigningKeysService(repo.asRepository(), new KeyEncryption(config), config, clock);
    sut = new KeyRotationJob(keys, clock, config);
  });

  const states = () =>
    [...repo.rows.values()]
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .map((k) => k.state);

  it('should do nothing before any key exists', async () => {
    expect(await sut.run()).toEqual({ action: 'none' });
    expect(repo.rows.size).toBe(0);
  });

  it('should publish the next key an hour before the interval ends, then promote it on time', async () => {
    const { kid: first } = await keys.signingKey();
    // Every ten minutes, as scheduled, for 23 hours: nothing to do.
    for (let t = 0; t < 23 * 6 - 1; t++) {
      clock.advance(600);
      expect((await sut.run()).action).toBe('none');
    }
    clock.advance(600); // 23 h: the next key is created and published, not signing yet
    const created = await sut.run();
    expect(created.action).toBe('created-next');
    expect(states()).toEqual(['active', 'next']);
    expect((await keys.signingKey()).kid).toBe(first);

    for (let t = 0; t < 5; t++) {
      clock.advance(600);
      expect((await sut.run()).action).toBe('none');
    }
    clock.advance(600); // an hour after creation: promoted
    expect(await sut.run()).toEqual({ action: 'promoted', kid: (created as { kid: string }).kid });
    expect(states()).toEqual(['retired', 'active']);
    expect((await keys.signingKey()).kid).not.toBe(first);
  });

  it('should keep a next key published at start-up pending until the active key has signed for the interval', async () => {
    await keys.ensureKeys();
    expect(states()).toEqual(['active', 'next']);
    for (let t = 0; t < 24 * 6 - 1; t++) {
      clock.advance(600);
      expect((await sut.run()).action).toBe('none');
    }
    clock.advance(600); // 24 h: the interval is over, the next key has long been published
    expect((await sut.run()).action).toBe('promoted');
    expect(states()).toEqual(['retired', 'active']);
  });

  it('should delete a retired key once expired even when no rotation is due', async () => {
    await keys.signingKey();
    clock.advance(23 * HOUR);
    await sut.run();
    clock.advance(HOUR);
    await sut.run();
    expect(states()).toEqual(['retired', 'active']);
    clock.advance(HOUR + 61);
    expect((await sut.run()).action).toBe('none');
    expect(states()).toEqual(['active']);
  });

  it('should start the next rotation at once when the interval is shorter than the delay', async () => {
    sut = new KeyRotationJob(keys, clock, {
      ...config,
      maintenance: { keyRotationIntervalHours: 1 },
    } as AppConfig);
    await keys.signingKey();
    expect((await sut.run()).action).toBe('created-next');
  });
});
