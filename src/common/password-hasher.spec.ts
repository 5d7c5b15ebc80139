import { PasswordHasher, PasswordHashingBusyError } from './password-hasher';

describe('PasswordHasher admission control', () => {
  it('should hash and verify within the budget', async () => {
    const hasher = new PasswordHasher(4);
    const hash = await hasher.hash('correct horse');
    await expect(hasher.verify('correct horse', hash)).resolves.toBe(true);
    await expect(hasher.verify('wrong', hash)).resolves.toBe(false);
  });

  it('should refuse at once, with a Retry-After, when the queue is full', async () => {
    const hasher = new PasswordHasher(8, { concurrency: 1, maxQueue: 1, maxWaitMs: 5000 }, 1);
    const running = hasher.hash('a');
    const queued = hasher.hash('b');
    const started = Date.now();
    const refused = await hasher.hash('c').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(PasswordHashingBusyError);
    expect((refused as PasswordHashingBusyError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(Date.now() - started).toBeLessThan(50);
    await expect(running).resolves.toMatch(/^\$2b\$08\$/);
    await expect(queued).resolves.toMatch(/^\$2b\$08\$/);
    expect(hasher.stats()).toMatchObject({ active: 0, queued: 0 });
  });

  it('should give up on a hash that waited longer than maxWaitMs', async () => {
    const hasher = new PasswordHasher(10, { concurrency: 1, maxQueue: 10, maxWaitMs: 5 }, 1);
    const running = hasher.hash('a');
    await expect(hasher.verify('b', '$2b$04$invalidinvalidinvalidinvalidinvalidinvalidinvali')).rejects.toBeInstanceOf(
      PasswordHashingBusyError,
    );
    await running;
    expect(hasher.stats().queued).toBe(0);
  });

  it('should keep at most `concurrency` hashes in flight', async () => {
    const hasher = new PasswordHasher(6, { concurrency: 2, maxQueue: 100, maxWaitMs: 30_000 }, 1);
    let peak = 0;
    const all = Array.from({ length: 6 }, (_, i) => hasher.hash(`p${i}`));
    peak = hasher.stats().active;
    const sample = setInterval(() => (peak = Math.max(peak, hasher.stats().active)), 1);
    await Promise.all(all);
    clearInterval(sample);
    expect(peak).toBe(2);
  });
});
